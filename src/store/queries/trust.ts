import { sql } from 'kysely'
import type { KeyMode } from '../../domain/platform-trust.ts'
import * as hot from '../hot-queries.ts'
import { nowSeconds } from '../rows.ts'
import type { PartnerTrustRecord, PlatformCertificateRecord } from '../store.ts'
import { Executor } from './executor.ts'

/** Key modes and platform certificates of partners (migration 005). */
export class TrustQueries extends Executor {
  async getPartnerTrust(mchid: string): Promise<PartnerTrustRecord | undefined> {
    const [r] = (await hot.selectPartnerTrust(this.db, this.dialect.name, mchid)).rows
    return (
      r && {
        mchid: r.mchid,
        keyMode: r.key_mode as KeyMode,
        strictSerial: Number(r.strict_serial) === 1,
        callbackPublicKeyShare: Number(r.callback_public_key_share),
        version: Number(r.version),
      }
    )
  }

  async savePartnerTrust(t: Omit<PartnerTrustRecord, 'version'>): Promise<number> {
    const values = {
      key_mode: t.keyMode,
      strict_serial: t.strictSerial ? 1 : 0,
      callback_public_key_share: t.callbackPublicKeyShare,
      updated_at: nowSeconds(),
    }
    const r = await this.db
      .insertInto('partner_trust')
      .values({ mchid: t.mchid, version: 1, ...values })
      .onConflict((oc) =>
        oc.column('mchid').doUpdateSet({ ...values, version: sql`partner_trust.version + 1` }),
      )
      .returning('version')
      .executeTakeFirstOrThrow()
    return Number(r.version)
  }

  async listPlatformCertificates(mchid: string): Promise<PlatformCertificateRecord[]> {
    const rows = await this.db
      .selectFrom('platform_certificates')
      .selectAll()
      .where('mchid', '=', mchid)
      .orderBy('effective_time')
      .orderBy('serial_no')
      .execute()
    return rows.map((r) => ({
      serialNo: r.serial_no,
      mchid: r.mchid,
      certificatePem: r.certificate_pem,
      privateKeyPem: r.private_key_pem,
      effectiveTime: Number(r.effective_time),
      expireTime: Number(r.expire_time),
      signingFrom: Number(r.signing_from),
      ...(r.revoked_at === null ? {} : { revokedAt: Number(r.revoked_at) }),
    }))
  }

  async insertPlatformCertificate(c: PlatformCertificateRecord): Promise<void> {
    await this.db
      .insertInto('platform_certificates')
      .values({
        serial_no: c.serialNo,
        mchid: c.mchid,
        certificate_pem: c.certificatePem,
        private_key_pem: c.privateKeyPem,
        effective_time: c.effectiveTime,
        expire_time: c.expireTime,
        signing_from: c.signingFrom,
        revoked_at: c.revokedAt ?? null,
        created_at: nowSeconds(),
      })
      .execute()
  }

  async updatePlatformCertificate(
    serialNo: string,
    change: { expireTime?: number; revokedAt?: number },
  ): Promise<void> {
    await this.db
      .updateTable('platform_certificates')
      .set({
        ...(change.expireTime === undefined ? {} : { expire_time: change.expireTime }),
        ...(change.revokedAt === undefined ? {} : { revoked_at: change.revokedAt }),
      })
      .where('serial_no', '=', serialNo)
      .execute()
  }
}
