package com.java.utils;

import com.google.gson.ExclusionStrategy;
import com.google.gson.FieldAttributes;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.Expose;
import okhttp3.Headers;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * The helper class the seed's Java samples import (com.java.utils.WXPayUtility), written for
 * this repository from the protocol rules (shared/spec/apiv3-protocol.md §2 and §4): request
 * signing, response verification, key loading and JSON. It is not WeChat Pay's own file; it
 * has the methods the samples call, on OkHttp 3 and Gson.
 */
public class WXPayUtility {
    private static final Gson gson = new GsonBuilder()
            .disableHtmlEscaping()
            // Fields marked @Expose(serialize = false) (path parameters) stay out of the body.
            .addSerializationExclusionStrategy(new ExclusionStrategy() {
                @Override
                public boolean shouldSkipField(FieldAttributes f) {
                    Expose e = f.getAnnotation(Expose.class);
                    return e != null && !e.serialize();
                }

                @Override
                public boolean shouldSkipClass(Class<?> c) {
                    return false;
                }
            })
            .create();

    private static final String NONCE_CHARS =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static String toJson(Object object) {
        return gson.toJson(object);
    }

    public static <T> T fromJson(String json, Class<T> classOfT) {
        return gson.fromJson(json, classOfT);
    }

    /** Form encoding, as the official samples use for path parameters. */
    public static String urlEncode(String content) {
        try {
            return URLEncoder.encode(content, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pemBody(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(base64);
    }

    private static String readFile(String path) {
        try {
            return new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public static PrivateKey loadPrivateKeyFromPath(String path) {
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pemBody(readFile(path))));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a PKCS#8 RSA private key: " + path, e);
        }
    }

    /** SPKI PEM, or a platform certificate PEM (its key is used). */
    public static PublicKey loadPublicKeyFromPath(String path) {
        String pem = readFile(path);
        try {
            if (pem.contains("BEGIN CERTIFICATE")) {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(Paths.get(path)))
                        .getPublicKey();
            }
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pemBody(pem)));
        } catch (Exception e) {
            throw new IllegalArgumentException("not an RSA public key: " + path, e);
        }
    }

    private static String nonce() {
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) sb.append(NONCE_CHARS.charAt(RANDOM.nextInt(NONCE_CHARS.length())));
        return sb.toString();
    }

    private static String sign(String message, PrivateKey key) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /** Signs METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n (protocol §2.1); the Authorization header (§2.2). */
    public static String buildAuthorization(String mchid, String certificateSerialNo, PrivateKey privateKey,
                                            String method, String uri, String body) {
        String nonce = nonce();
        long timestamp = Instant.now().getEpochSecond();
        String message = method + "\n" + uri + "\n" + timestamp + "\n" + nonce + "\n"
                + (body == null ? "" : body) + "\n";
        String signature = sign(message, privateKey);
        return String.format(
                "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\",signature=\"%s\",timestamp=\"%d\",serial_no=\"%s\"",
                mchid, nonce, signature, timestamp, certificateSerialNo);
    }

    public static String extractBody(Response response) {
        ResponseBody body = response.body();
        if (body == null) return "";
        try {
            return body.string();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A 2xx answer (protocol §4.2): the serial is the key held, the timestamp within 5 minutes,
     * the signature over TIMESTAMP\nNONCE\nBODY\n verifies.
     */
    public static void validateResponse(String wechatpayPublicKeyId, PublicKey wechatpayPublicKey,
                                        Headers headers, String body) {
        String timestamp = headers.get("Wechatpay-Timestamp");
        String nonce = headers.get("Wechatpay-Nonce");
        String serial = headers.get("Wechatpay-Serial");
        String signature = headers.get("Wechatpay-Signature");
        if (!wechatpayPublicKeyId.equals(serial)) {
            throw new IllegalArgumentException("Wechatpay-Serial " + serial + " is not the key held");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid Wechatpay-Timestamp " + timestamp);
        }
        if (Math.abs(Instant.now().getEpochSecond() - ts) >= 300) {
            throw new IllegalArgumentException("Wechatpay-Timestamp is 5 minutes or more from now");
        }
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(wechatpayPublicKey);
            s.update((timestamp + "\n" + nonce + "\n" + body + "\n").getBytes(StandardCharsets.UTF_8));
            if (!s.verify(Base64.getDecoder().decode(signature))) {
                throw new IllegalArgumentException("the response signature does not verify");
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("the response signature does not verify", e);
        }
    }

    /** A non-2xx answer. */
    public static class ApiException extends RuntimeException {
        private final int statusCode;
        private final String body;
        private final Headers headers;

        public ApiException(int statusCode, String body, Headers headers) {
            super(String.format("api error: status %d, Request-ID %s, body %s",
                    statusCode, headers.get("Request-ID"), body));
            this.statusCode = statusCode;
            this.body = body;
            this.headers = headers;
        }

        public int getStatusCode() {
            return statusCode;
        }

        public String getBody() {
            return body;
        }

        public Headers getHeaders() {
            return headers;
        }
    }
}
