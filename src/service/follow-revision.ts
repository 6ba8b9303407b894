import type { Revision } from '@wxcoupon/sdk/schemas'
import type { StoreTx } from '../store/store.ts'

/**
 * The bootstrap partner follows the `revision` setting across restarts while it has created
 * nothing; objects made under one revision are not migrated to the other, so then it refuses.
 */
export async function followRevision(
  tx: StoreTx,
  mchid: string,
  revision: Revision,
): Promise<void> {
  const partner = await tx.getPartner(mchid)
  if (!partner || (partner.revision ?? '2025-08') === revision) return
  if ((await tx.browseProductCoupons({ mchid, limit: 1 })).length > 0) {
    throw new Error(
      `the bootstrap partner ${mchid} is on revision ${partner.revision ?? '2025-08'} and has product coupons; start with that revision, or a new data dir or database for ${revision}`,
    )
  }
  await tx.setPartnerRevision(mchid, revision)
}
