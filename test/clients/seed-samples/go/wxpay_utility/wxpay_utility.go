// Package wxpay_utility is the helper library the seed's Go samples import
// ("demo/wxpay_utility"), written for this repository from the protocol rules
// (shared/spec/apiv3-protocol.md §2 and §4): request signing, response
// verification and the merchant configuration. It is not WeChat Pay's own
// file; it has the functions and types the samples call, with the standard
// library only.
package wxpay_utility

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strconv"
	"time"
)

// MchConfig is what a merchant (partner) signs and verifies with.
type MchConfig struct {
	mchId                string
	certificateSerialNo  string
	privateKey           *rsa.PrivateKey
	wechatPayPublicKeyId string
	wechatPayPublicKey   *rsa.PublicKey
}

func (c *MchConfig) MchId() string                      { return c.mchId }
func (c *MchConfig) CertificateSerialNo() string        { return c.certificateSerialNo }
func (c *MchConfig) PrivateKey() *rsa.PrivateKey        { return c.privateKey }
func (c *MchConfig) WechatPayPublicKeyId() string       { return c.wechatPayPublicKeyId }
func (c *MchConfig) WechatPayPublicKey() *rsa.PublicKey { return c.wechatPayPublicKey }

// CreateMchConfig loads the merchant's PKCS#8 private key and WeChat Pay's
// public key (SPKI PEM, or a platform certificate PEM: its key is used).
func CreateMchConfig(mchId, certificateSerialNo, privateKeyFilePath, wechatPayPublicKeyId, wechatPayPublicKeyFilePath string) (*MchConfig, error) {
	privateKey, err := LoadPrivateKeyWithPath(privateKeyFilePath)
	if err != nil {
		return nil, err
	}
	publicKey, err := LoadPublicKeyWithPath(wechatPayPublicKeyFilePath)
	if err != nil {
		return nil, err
	}
	return &MchConfig{mchId, certificateSerialNo, privateKey, wechatPayPublicKeyId, publicKey}, nil
}

func pemBlock(path string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s is not PEM", path)
	}
	return block, nil
}

func LoadPrivateKeyWithPath(path string) (*rsa.PrivateKey, error) {
	block, err := pemBlock(path)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not RSA")
	}
	return rsaKey, nil
}

func LoadPublicKeyWithPath(path string) (*rsa.PublicKey, error) {
	block, err := pemBlock(path)
	if err != nil {
		return nil, err
	}
	var key interface{}
	if block.Type == "CERTIFICATE" {
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		key = cert.PublicKey
	} else {
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the public key is not RSA")
	}
	return rsaKey, nil
}

const nonceChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// GenerateNonce is 32 characters of [0-9A-Za-z].
func GenerateNonce() (string, error) {
	out := make([]byte, 32)
	max := big.NewInt(int64(len(nonceChars)))
	for i := range out {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		out[i] = nonceChars[n.Int64()]
	}
	return string(out), nil
}

func signSHA256WithRSA(message string, key *rsa.PrivateKey) (string, error) {
	digest := sha256.Sum256([]byte(message))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// BuildAuthorization signs METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n (protocol §2.1)
// and returns the Authorization header (§2.2).
func BuildAuthorization(mchid, certificateSerialNo string, privateKey *rsa.PrivateKey, method, canonicalURL string, body []byte) (string, error) {
	nonce, err := GenerateNonce()
	if err != nil {
		return "", err
	}
	timestamp := strconv.FormatInt(time.Now().Unix(), 10)
	message := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n", method, canonicalURL, timestamp, nonce, body)
	signature, err := signSHA256WithRSA(message, privateKey)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		mchid, nonce, timestamp, certificateSerialNo, signature), nil
}

func ExtractResponseBody(response *http.Response) ([]byte, error) {
	if response.Body == nil {
		return nil, nil
	}
	defer response.Body.Close()
	return io.ReadAll(response.Body)
}

// ValidateResponse checks a 2xx answer (protocol §4.2): the serial is the key
// held, the timestamp within 5 minutes, the signature over
// TIMESTAMP\nNONCE\nBODY\n verifies.
func ValidateResponse(wechatpayPublicKeyId string, wechatpayPublicKey *rsa.PublicKey, headers *http.Header, body []byte) error {
	timestamp := headers.Get("Wechatpay-Timestamp")
	nonce := headers.Get("Wechatpay-Nonce")
	signature := headers.Get("Wechatpay-Signature")
	serial := headers.Get("Wechatpay-Serial")
	if serial != wechatpayPublicKeyId {
		return fmt.Errorf("Wechatpay-Serial %q is not the key held (%s)", serial, wechatpayPublicKeyId)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("invalid Wechatpay-Timestamp %q", timestamp)
	}
	if skew := time.Now().Unix() - ts; skew >= 300 || skew <= -300 {
		return fmt.Errorf("Wechatpay-Timestamp %d is 5 minutes or more from now", ts)
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return errors.New("Wechatpay-Signature is not Base64")
	}
	message := fmt.Sprintf("%s\n%s\n%s\n", timestamp, nonce, body)
	digest := sha256.Sum256([]byte(message))
	if err := rsa.VerifyPKCS1v15(wechatpayPublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("the response signature does not verify")
	}
	return nil
}

// ApiException is a non-2xx answer.
type ApiException struct {
	statusCode int
	header     http.Header
	body       []byte
}

func (e *ApiException) Error() string {
	return fmt.Sprintf("api error: status %d, Request-ID %s, body %s", e.statusCode, e.header.Get("Request-ID"), e.body)
}

func (e *ApiException) StatusCode() int     { return e.statusCode }
func (e *ApiException) Header() http.Header { return e.header }
func (e *ApiException) Body() []byte        { return e.body }

func NewApiException(statusCode int, header http.Header, body []byte) error {
	return &ApiException{statusCode, header, body}
}

func String(s string) *string { return &s }
func Int64(i int64) *int64    { return &i }
func Int32(i int32) *int32    { return &i }
func Bool(b bool) *bool       { return &b }
func Float64(f float64) *float64 {
	return &f
}
func Time(t time.Time) *time.Time { return &t }
