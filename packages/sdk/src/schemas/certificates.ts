import { type Static, Type } from 'typebox'

/**
 * GET /v3/certificates (research §1): the platform certificates of the calling partner, each
 * PEM encrypted under its APIv3 key with AEAD_AES_256_GCM and associated data `certificate`.
 */

const S = Type.String()

export const CertificatesQuery = Type.Object({
  /** Default RSA; the sandbox has no SM2 certificates, so SM2 lists none. */
  algorithm_type: Type.Optional(Type.Enum(['RSA', 'SM2', 'ALL'])),
})
export type CertificatesQuery = Static<typeof CertificatesQuery>

export const EncryptCertificate = Type.Object({
  algorithm: Type.Literal('AEAD_AES_256_GCM'),
  nonce: S,
  associated_data: S,
  ciphertext: S,
})
export type EncryptCertificate = Static<typeof EncryptCertificate>

export const PlatformCertificateEntity = Type.Object({
  serial_no: S,
  effective_time: S,
  expire_time: S,
  encrypt_certificate: EncryptCertificate,
})
export type PlatformCertificateEntity = Static<typeof PlatformCertificateEntity>

export const CertificatesResponse = Type.Object({ data: Type.Array(PlatformCertificateEntity) })
export type CertificatesResponse = Static<typeof CertificatesResponse>

/** The associated data every certificate is encrypted with. */
export const CERTIFICATE_ASSOCIATED_DATA = 'certificate'
