// A fixed RSA 2048 key for known-answer tests, generated once with
// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`. Test use only.
export const TEST_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCjR1NvFoDo89/v
2iaUfoJZNt02A/CBOlDOOBlWpLsXomnsEd28UrExRm53o220zxBU+KKxwvpzb9qz
17O0IEhFjCbwwxdEoDOJD9XpoQNxY10agw5yz4lqlHM8NkqopAVcQge639tBOYAu
4UGwIiFe7toZbW04P8XQALp7Xv7EqAI453Jh55n/j4fMxRztK8KMqYUEtSsHaVIf
w5BTiipesZF6LCZ9LlglfGHNwTFez4gw1aEZp9W8R6RitgQgDgaU1tXrteSXOSch
iaKqd6oUnvy2gmlBFXivPT0CwItlKGYBgEkb3rmSUIPB0T5Nilmmx17Ym6vENwBO
sWO544DPAgMBAAECggEAF3n27h8PM+90wFjeeTVjao5v6gdQ+lO3MJ9yTTnsSK6q
ii3bcut03L/ivEL8UCYBlCYXxnVha12m1XrrNLf7jDxlkPKMEurx3gAv4qKrCw+d
YGV9m1ZpzLBBjWPFAlBrEOPRlrX/IXayDouG1Vti7vJq24MXVCIfQBQKvBhhi0bd
59MSJ3/r4iojLInFnEpDsHSWi6EqU1PRVrVuU3rF7KtiUIvp2iLHRPH0lmqHgai1
O9TLUdv4B5/2RbCkE2JKE9Cgy2Dah4kdseExyjKJYv99TrKvmSxB8nPHYRTnjW19
iknS6zg4eST0FPZV12MaAs9e3Swvv5Cj2Oe4rqn6SQKBgQDdeK7xkjnkm4fjaaLo
a6VNoi963mIbDniuoxeOvVqA2GkyTFqfcziOEB6bcaME1PyDXNuvzI2MxQVvFz0z
L5wWWVsEnE5wd/dhWFLVyDjo1H0tqtn78MD8gFUdQd2iC5igcscsUR+7EIfgKjlr
65T8aPhd87t4x6WMJlqRiaVVrQKBgQC8vBCRQmDCdLzCVa/oN73TJAKVdYaZucx1
4rE/o8tgL++PurQKM9zPtvPxVC6H7Mo4L/ATn4xkTrYUphr1Zb6lp5Byy0VHgJui
/AU6fogCi/y+cOlgabxQ9665OhK8g6uQpB8KIG3Ff97UK4lK4NwWawFMrUMsOobf
1cLumGKn6wKBgADplF7uaUql0WOAdelbOC0fs+5fqCvQXXLqvRgbc5oASj6ozd7G
TL9ZFacySqekcP3hjg4lW5fu39zbTac+VPhKmfNk6XXRKLW/9WdoEcPzzCg6Affl
wAXKSY97S/x068YNcwCdvPG6WbT0t5PYPp7jl9JbRLR0rhvrtIfQ91tpAoGBAIQD
hA8m/+lkoFfKeeWTf9q9WHVUpJbIiIR40YRzPKGGRioh7Scpya0dCprmSDnZXkVY
+rOvKRNMnz3oRfkadvUGNRqmpknyYmrpn3qf4ODvLBXFguhmbUuxQ+zZ+xsTeqEM
u41oy3+XBrUf0sOmbyvbIyiQFOlN8uOEcPpVasSLAoGAWCSH9GdRQ32JVKPYe3C8
yNf3U37XLgfXRRZF57yT7fx+NcBVt4RSEdecqpCL9/YCQeBePkEmEpak83x5BN3v
EUT4unNgdT5ava47rpEzc5rv+KmO/StAgXe4WJcI8Qx8hcveQg3hGQ8GNwJH0H5h
u0nLBf78S7RHAOOzD1lhMu4=
-----END PRIVATE KEY-----
`

export const TEST_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo0dTbxaA6PPf79omlH6C
WTbdNgPwgTpQzjgZVqS7F6Jp7BHdvFKxMUZud6NttM8QVPiiscL6c2/as9eztCBI
RYwm8MMXRKAziQ/V6aEDcWNdGoMOcs+JapRzPDZKqKQFXEIHut/bQTmALuFBsCIh
Xu7aGW1tOD/F0AC6e17+xKgCOOdyYeeZ/4+HzMUc7SvCjKmFBLUrB2lSH8OQU4oq
XrGReiwmfS5YJXxhzcExXs+IMNWhGafVvEekYrYEIA4GlNbV67XklzknIYmiqneq
FJ78toJpQRV4rz09AsCLZShmAYBJG965klCDwdE+TYpZpsde2JurxDcATrFjueOA
zwIDAQAB
-----END PUBLIC KEY-----
`

// The worked example of protocol §2.1 (a return call), and a GET of the same coupon.
export const RETURN_URL =
  '/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/887755443322/return'
export const RETURN_BODY =
  '{"product_coupon_id":"1002323","stock_id":"100232301","appid":"wx233544546545989","out_request_no":"MCHRETURN20250804001","brand_id":"120344"}'
export const GET_URL =
  '/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/887755443322?product_coupon_id=1002323&stock_id=100232301&appid=wx233544546545989&brand_id=120344'
export const EXAMPLE_TIMESTAMP = '1754272800'
export const EXAMPLE_NONCE = '5K8264ILTKCH16CQ2502SI8ZNMTM67VS'

/**
 * The two messages spelled out byte for byte (⏎ in the spec = \n). Produced outside this code:
 * `printf` into a file, then `openssl dgst -sha256 -sign key.pem msg | base64 -w0`.
 * PKCS#1 v1.5 is deterministic, so a correct signer reproduces these exactly.
 */
export const RETURN_MESSAGE = `POST\n${RETURN_URL}\n1754272800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n${RETURN_BODY}\n`
export const RETURN_MESSAGE_SIGNATURE =
  'keFXF7kww7Jx944O5eZ5oPowuZXhDvEmtgR5+Fo7i43i2DET+yn1JR2Vy3wOBO7Es8HpjI23gtiD56o2SLnKMnUCpIyl1xA8XVU611AgdvgZUBxwTXOkAxhPILRiapCOQGTI9dYCiwu4VN8+QYCyrdVgvL6krL+r1k/T7EUZisgphKcIjdMZ956aoosSyQlmtIN+OXocVZDkBDt2CuiwIBNiAiQPJxkSQEfSWfuAgQn/LIgfO9hzXaJ+T4tqb/qrUl28yZLRXAOq4/AwubTEXDw2eSC15Jr/Pmuvh+McCNs8WPFRzCwejYYQ9GaL3ky5QCwDvGu812UFBwnM6htHqA=='
export const GET_MESSAGE = `GET\n${GET_URL}\n1754272800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n\n`
export const GET_MESSAGE_SIGNATURE =
  'RdnxUyh+TqWl1JRWyhwMGvSZ5Z3DrCt7l7rBCg5m2Xvgo1x8PXkVbzJmX3wV2ZMdJGbLrtdibIoWQJvOYfM1YQDbc2Afyj5YUYd0Si9U1mg0sxgtRN8P9XHwB6tgdIesqWGRjWY7yLNJYT8CJb9UO0GARJnNnzCam8SJfWksCxhcnQ6CHfwvZaC89av2PyDbB+Z7Xhh2wOP36pJAP1A+mqqhvP2nnP+m/O5sPgMGQSasyOsQ4KOsSeNeY2IpmF+zmTQBEYAzeTzes2kORDpVVDanT/gN4qfXCjKJdxlBWm2jY3pZF9aGxLm+a9Bwc0UbL0n1BztR+mTbtW3PrKTM7g=='

/**
 * AES-256-GCM callback vector (protocol §10.3), computed independently with Python
 * `cryptography`: `base64(AESGCM(key).encrypt(nonce, plaintext, aad))` (ciphertext ‖ tag).
 */
export const GCM_VECTOR = {
  apiv3Key: '0123456789abcdefghijklmnopqrstuv',
  nonce: 'j9g1wAzF9Xn1',
  associatedData: 'product_coupon_sp',
  plaintext:
    '{"brand_id":"120344","coupon_code":"887755443322","send_channel":"API","attach":"订单-42"}',
  ciphertext:
    'TM+nzlfJDsC6WNHB1FuPDLfZm0iUehZ708ttqW+DBUXUCORLjExanr+XuXp7ljde3PmnIkX4GXuJgKVl7nRqAPnD5fnZailYV4Ccipqr2ERx6MZ7HKDuwhRh8KWhBS/fqoIGbKG79kVVbtw0',
} as const
