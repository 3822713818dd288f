#!/usr/bin/env python3
"""Independent generator for the vectors that cover the targets no earlier vector checked.

Every value is computed here from the providers' documented formulas with Python's hmac / hashlib /
base64 / json and `openssl dgst` (RSA), never with payspec: this script imports nothing from the
project and reads only the throwaway RSA key in conformance/keys/. Run from the repository root:

    python3 vectors/tools/gen_target_vectors.py          # (re)writes the files listed below
    python3 vectors/tools/gen_target_vectors.py --check  # fails if a file differs from what it would write

Written files (vectors/<provider>/<id>.json): appotapay-jwt-bearer-sandbox,
appotapay-v1-refund-auth-sandbox, appotapay-v1-refund-status-sandbox, appotapay-v2-refund-sandbox,
appotapay-v2-refund-status-sandbox, appotapay-redirect-sandbox, bbmsl-void-request,
vietqr-bearer-doc-sample-token, vietqr-check-order-h2c-checksum, vietqr-refund-bearer-auth.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL_HMAC = "Python hmac/hashlib/base64/json (vectors/tools/gen_target_vectors.py)"
TOOL_RSA = "Python json/base64 + OpenSSL (openssl dgst -sha256 -sign, checked with -verify) (vectors/tools/gen_target_vectors.py)"


def compact(obj):
    """JSON text without spaces, non-ASCII literal (what the providers' examples show)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_sha256(key: str, msg: str) -> bytes:
    return hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()


# ---------------------------------------------------------------------------------------------------
# AppotaPay
# ---------------------------------------------------------------------------------------------------

APPOTA_CREDS = {
    "partner_code": "APPOTAPAY",
    "api_key": "FJcmF8uj2ISveL5FvvNk4pnp8xrhINz8",
    "secret_key": "XAonJgy14YhtePEITXhyBS2unjfJLAV3",
}
APPOTA_CRED_SOURCE = (
    "AppotaPay public sandbox account printed on https://docs.appotapay.com/payment/sandbox (mirrored in "
    "AppotaPayInc/skills:skills/appotapay-payment/references/docs/payment-sandbox.md). PUBLIC SANDBOX credential."
)
APPOTA_JWT_SOURCE = (
    "JWT HS256 per https://docs.appotapay.com/security (AppotaPayInc/skills:skills/appotapay-auth/scripts/gen_jwt.py): "
    "header {\"typ\":\"JWT\",\"alg\":\"HS256\",\"cty\":\"appotapay-api;v=1\"}, payload {\"iss\":PARTNER_CODE,"
    "\"jti\":API_KEY+\"-\"+now,\"api_key\":API_KEY,\"exp\":now+300}; signing_input = b64url(header) + \".\" + "
    "b64url(payload); token = signing_input + \".\" + b64url(HMAC-SHA256(SECRET_KEY, signing_input))"
)
SANDBOX_V1 = "https://payment.dev.appotapay.com"
SANDBOX_V2 = "https://gateway.dev.appotapay.com"


def appota_jwt(now: int):
    header = compact({"typ": "JWT", "alg": "HS256", "cty": "appotapay-api;v=1"})
    claims = compact(
        {
            "iss": APPOTA_CREDS["partner_code"],
            "jti": f"{APPOTA_CREDS['api_key']}-{now}",
            "api_key": APPOTA_CREDS["api_key"],
            "exp": now + 300,
        }
    )
    signing_input = b64url(header.encode()) + "." + b64url(claims.encode())
    mac = hmac_sha256(APPOTA_CREDS["secret_key"], signing_input)
    return signing_input, mac.hex(), b64url(mac), f"{signing_input}.{b64url(mac)}", header, claims


def appota_v1_signature(fields: dict) -> tuple:
    """Sorted raw key=value pairs joined with & (https://docs.appotapay.com/payment/signature)."""
    joined = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    return joined, hmac_sha256(APPOTA_CREDS["secret_key"], joined).hex()


def appotapay():
    out = []

    # Shared recipe jwt_bearer on its own.
    now = 1722470400
    sti, dig, sig, token, header, claims = appota_jwt(now)
    out.append(
        {
            "id": "appotapay-jwt-bearer-sandbox",
            "provider": "appotapay",
            "target": {"recipe": "jwt_bearer"},
            "provenance": {
                "kind": "computed",
                "source": APPOTA_JWT_SOURCE + "; header value \"Bearer \" + token as the v1 refund page shows "
                "(https://docs.appotapay.com/en/1.0/payment/refund: X-APPOTAPAY-AUTH: Bearer JWT_TOKEN)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "JWT HS256 (HMAC-SHA256), base64url without padding",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "now": now,
            "input": {},
            "expected": {
                "string_to_sign": sti,
                "digest_hex": dig,
                "signature": sig,
                "headers": {"X-APPOTAPAY-AUTH": f"Bearer {token}"},
            },
            "notes": f"Recipe jwt_bearer (the v1 form with the Bearer prefix). now = 1722470400 (2024-08-01T00:00:00Z), "
            f"exp = now + 300. header_json {header}, payload_json {claims}.",
        }
    )

    # v1 refund, auth stage (the JWT), with a partial refund and a Vietnamese reason.
    now = 1638180745
    sti, dig, sig, token, header, claims = appota_jwt(now)
    fields = {
        "refundId": "9d2f6c1be7a04e5c8f3a6b71d0c4e852",
        "appotapayTransId": "AP211364332963",
        "amount": 5000,
        "reason": "Hoàn tiền một phần đơn hàng",
    }
    joined, body_sig = appota_v1_signature(fields)
    out.append(
        {
            "id": "appotapay-v1-refund-auth-sandbox",
            "provider": "appotapay",
            "target": {"operation": "refund"},
            "stage": "auth",
            "provenance": {
                "kind": "computed",
                "source": APPOTA_JWT_SOURCE + "; sent as \"Bearer \" + token (v1 refund page "
                "https://docs.appotapay.com/en/1.0/payment/refund). Body signature = lowercase_hex(HMAC-SHA256("
                "SECRET_KEY, \"amount={amount}&appotapayTransId={appotapayTransId}&reason={reason}&refundId={refundId}\")) "
                "with raw UTF-8 values (same page; https://docs.appotapay.com/payment/signature)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "JWT HS256 (HMAC-SHA256), base64url without padding; body signature HMAC-SHA256, lowercase hex",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "now": now,
            "input": fields,
            "expected": {
                "string_to_sign": sti,
                "digest_hex": dig,
                "signature": sig,
                "url": f"{SANDBOX_V1}/api/v1/transaction/refund",
                "method": "POST",
                "headers": {"Content-Type": "application/json", "X-APPOTAPAY-AUTH": f"Bearer {token}"},
                "body": {**fields, "signature": body_sig},
            },
            "notes": f"Checks the auth stage (recipe jwt_bearer) of the v1 refund; the body carries the sign-stage "
            f"signature over {joined!r} (computed here too). Partial refund (5000 of the 10000 doc example payment "
            f"AP211364332963) with a Vietnamese reason, signed and sent as raw UTF-8; refundId is a made-up partner id "
            f"in the doc example's 32-hex form. now = 1638180745 (2021-11-29, the day of the doc example), "
            f"exp = now + 300. header_json {header}, payload_json {claims}. URL on the sandbox v1 host (third-party only).",
        }
    )

    # v1 refund detail.
    now = 1638181105
    sti, dig, sig, token, header, claims = appota_jwt(now)
    out.append(
        {
            "id": "appotapay-v1-refund-status-sandbox",
            "provider": "appotapay",
            "target": {"operation": "refund_status"},
            "stage": "auth",
            "provenance": {
                "kind": "computed",
                "source": APPOTA_JWT_SOURCE + "; sent as \"Bearer \" + token; GET /api/v1/transaction/refund/{refundId} "
                "with the partner refund id (https://docs.appotapay.com/1.0/payment/refund-detail, "
                "https://docs.appotapay.com/en/1.0/payment/refund)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "JWT HS256 (HMAC-SHA256), base64url without padding",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "now": now,
            "input": {"refundId": "237052c887614019bedfd1851a287d9c"},
            "expected": {
                "string_to_sign": sti,
                "digest_hex": dig,
                "signature": sig,
                "url": f"{SANDBOX_V1}/api/v1/transaction/refund/237052c887614019bedfd1851a287d9c",
                "method": "GET",
                "headers": {"Content-Type": "application/json", "X-APPOTAPAY-AUTH": f"Bearer {token}"},
            },
            "notes": f"Refund detail of the v1 doc example refund (partner refund id 237052c887614019bedfd1851a287d9c), "
            f"queried 6 minutes after it. GET without a body (expected.body is left out: the format cannot say "
            f"\"no body\"). now = 1638181105, exp = now + 300. header_json {header}, payload_json {claims}. "
            f"URL on the sandbox v1 host (third-party only).",
        }
    )

    # v2 refund.
    now = 1726028470
    sti, dig, sig, token, header, claims = appota_jwt(now)
    out.append(
        {
            "id": "appotapay-v2-refund-sandbox",
            "provider": "appotapay",
            "target": {"operation": "refund_v2"},
            "stage": "auth",
            "provenance": {
                "kind": "computed",
                "source": APPOTA_JWT_SOURCE + "; bare token in X-APPOTAPAY-AUTH; POST /api/v2/transaction/refund with "
                "JSON body partnerRefId, transactionId, amount, currency, reason and optional headers X-Request-ID, "
                "X-Language (https://docs.appotapay.com/payment/refund)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "JWT HS256 (HMAC-SHA256), base64url without padding (no body signature in v2)",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "now": now,
            "input": {
                "X-Request-ID": "3f9c2a7e-5b1d-4c8e-9a6f-0d2b7e4c1a95",
                "X-Language": "vi",
                "partnerRefId": "5f61cf4f41e2b",
                "transactionId": "AP241453209745",
                "amount": 10000,
                "reason": "test refund",
            },
            "expected": {
                "string_to_sign": sti,
                "digest_hex": dig,
                "signature": sig,
                "url": f"{SANDBOX_V2}/api/v2/transaction/refund",
                "method": "POST",
                "headers": {
                    "Content-Type": "application/json",
                    "X-Request-ID": "3f9c2a7e-5b1d-4c8e-9a6f-0d2b7e4c1a95",
                    "X-Language": "vi",
                    "X-APPOTAPAY-AUTH": token,
                },
                "body": {
                    "partnerRefId": "5f61cf4f41e2b",
                    "transactionId": "AP241453209745",
                    "amount": 10000,
                    "currency": "VND",
                    "reason": "test refund",
                },
            },
            "notes": f"Field values from the v2 refund doc example (response partnerRefId 5f61cf4f41e2b, transactionId "
            f"AP241453209745, amount 10000, VND, \"test refund\", createdAt 2024-09-11T11:21:17+07:00 = 1726028477); "
            f"now = 1726028470, 7 s before it; exp = now + 300. currency is left out of input: the spec fills it "
            f"(from: lit:VND) and the body must carry it. X-Request-ID is a made-up UUIDv4. Header fields are sent as "
            f"headers, not in the body. header_json {header}, payload_json {claims}.",
        }
    )

    # v2 refund detail.
    now = 1726028537
    sti, dig, sig, token, header, claims = appota_jwt(now)
    out.append(
        {
            "id": "appotapay-v2-refund-status-sandbox",
            "provider": "appotapay",
            "target": {"operation": "refund_v2_status"},
            "stage": "auth",
            "provenance": {
                "kind": "computed",
                "source": APPOTA_JWT_SOURCE + "; bare token in X-APPOTAPAY-AUTH; GET "
                "/api/v2/transaction/refund/{refundRefId}?type=TRANSACTION_ID|PARTNER_ORDER_ID "
                "(https://docs.appotapay.com/payment/refund-detail)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "JWT HS256 (HMAC-SHA256), base64url without padding",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "now": now,
            "input": {
                "X-Language": "en",
                "refundRefId": "5f61cf4f41e2b",
                "type": "PARTNER_ORDER_ID",
            },
            "expected": {
                "string_to_sign": sti,
                "digest_hex": dig,
                "signature": sig,
                "url": f"{SANDBOX_V2}/api/v2/transaction/refund/5f61cf4f41e2b?type=PARTNER_ORDER_ID",
                "method": "GET",
                "headers": {"Content-Type": "application/json", "X-Language": "en", "X-APPOTAPAY-AUTH": token},
            },
            "notes": f"Detail of the v2 doc example refund by its partner-side reference (partnerRefId 5f61cf4f41e2b, "
            f"type PARTNER_ORDER_ID), one minute after appotapay-v2-refund-sandbox. GET without a body (expected.body "
            f"is left out: the format cannot say \"no body\"). now = 1726028537, exp = now + 300. header_json {header}, "
            f"payload_json {claims}.",
        }
    )

    # Payment redirect (GET query string data, signature, time).
    payload = {
        "transaction": {
            "transactionId": "AP241453209745",
            "partnerCode": "APPOTAPAY",
            "status": "success",
            "errorCode": 0,
            "errorMessage": "Thành công",
            "orderAmount": 10000,
            "amount": 10000,
            "discountAmount": 0,
            "currency": "VND",
            "bankCode": "VCB",
            "paymentMethod": "ATM",
            "action": "PAY",
            "version": "2.0",
            "createdAt": "2024-09-11T11:05:42+07:00",
            "updatedAt": "2024-09-11T11:06:30+07:00",
        },
        "partnerReference": {"order": {"id": "5f61cf4f41e2b", "info": "Thanh toán đơn hàng 5f61cf4f41e2b", "extraData": ""}},
    }
    data = base64.b64encode(compact(payload).encode()).decode()
    mac = hmac_sha256(APPOTA_CREDS["secret_key"], data).hex()
    query = urllib.parse.urlencode({"data": data, "signature": mac, "time": "1726027590"})
    out.append(
        {
            "id": "appotapay-redirect-sandbox",
            "provider": "appotapay",
            "target": {"callback": "redirect"},
            "provenance": {
                "kind": "computed",
                "source": "signature == lowercase_hex(HMAC-SHA256(key=SECRET_KEY, msg=UTF8(data))) over the raw base64 "
                "data string as received in the redirect query string (data, signature, time); payload = "
                "JSON.parse(base64_decode(data)) -- https://docs.appotapay.com/payment/result (mirror "
                "AppotaPayInc/skills:skills/appotapay-payment/references/docs/payment-result.md; "
                "skills/appotapay-payment/scripts/verify_ipn.py)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "HMAC-SHA256, lowercase hex",
            "credentials": APPOTA_CREDS,
            "credential_source": APPOTA_CRED_SOURCE,
            "input": {"data": data, "signature": mac, "time": "1726027590"},
            "expected": {"string_to_sign": data, "signature": mac, "digest_hex": mac},
            "decoded": {"data": payload},
            "notes": "Synthetic redirect of a successful ATM payment (decoded field names from the v2 payload table of "
            "the payment result page; ids and amount from the v2 refund doc example, Vietnamese text literal UTF-8). "
            "Values are the query parameters after URL-decoding, all strings as a query string delivers them (time "
            "too); the signature covers the base64 text exactly as received. The redirect URL query would be "
            f"?{query}",
        }
    )
    return out


# ---------------------------------------------------------------------------------------------------
# BBMSL
# ---------------------------------------------------------------------------------------------------


def rsa_sign(pem_path: str, pub_path: str, message: str) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        msg = os.path.join(d, "msg")
        sig = os.path.join(d, "sig")
        with open(msg, "wb") as f:
            f.write(message.encode())
        subprocess.run(["openssl", "dgst", "-sha256", "-sign", pem_path, "-out", sig, msg], check=True)
        subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", pub_path, "-signature", sig, msg],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(sig, "rb") as f:
            return f.read()


def bbmsl():
    priv = os.path.join(ROOT, "conformance", "keys", "test_private_key.pem")
    pub = os.path.join(ROOT, "conformance", "keys", "test_public_key.pem")
    creds = {"private_key": open(priv).read(), "gateway_public_key": open(pub).read()}
    request = {"merchantId": 3, "orderId": 4922}
    text = compact(request)
    raw = rsa_sign(priv, pub, text)
    sig = base64.b64encode(raw).decode()
    return [
        {
            "id": "bbmsl-void-request",
            "provider": "bbmsl",
            "target": {"operation": "void"},
            "stage": "sign",
            "provenance": {
                "kind": "computed",
                "source": "signature = base64(RSA-PKCS1v1_5-SHA256-sign(merchant_private_key, UTF8(request))), where "
                "request is the exact JSON text placed in the \"request\" field of the body {\"request\": <string>, "
                "\"signature\": <string>} (https://docs.bbmsl.com/docs/online-utilities/signature, "
                "https://docs.bbmsl.com/docs/api); void request fields merchantId and orderId or merchantReference, "
                "POST /hosted-checkout/void (https://docs.sit.bbmsl.com/docs/online-hosted/API/void)",
                "tool": TOOL_RSA,
            },
            "algorithm": "RSASSA-PKCS1-v1_5 with SHA-256 (SHA256withRSA), standard base64, no line wrapping",
            "credentials": creds,
            "credential_source": "Throwaway RSA-2048 key pair generated for these vectors (PKCS#8 private key). TEST "
            "ONLY; not registered with BBMSL. private_key = test_private_key.pem and gateway_public_key = "
            "test_public_key.pem (the throwaway pair, conformance/keys/), full PEM text.",
            "input": request,
            "expected": {
                "string_to_sign": text,
                "signature": sig,
                "url": "https://payapi.sit.bbmsl.com/hosted-checkout/void",
                "method": "POST",
                "headers": {"Content-Type": "application/json"},
                "body": {"request": text, "signature": sig},
                "digest_hex": raw.hex(),
            },
            "notes": "Void (cancel before settlement) of the order of the refund doc example (merchant 3, order 4922), by "
            "orderId, numbers as in that example. PKCS#1 v1.5 is deterministic, so any correct implementation "
            "reproduces this value byte for byte; verified with openssl dgst -sha256 -verify test_public_key.pem. "
            "Input is the inner request object; expected.body is the envelope as a JSON object.",
        }
    ]


# ---------------------------------------------------------------------------------------------------
# VietQR
# ---------------------------------------------------------------------------------------------------

# Bearer token printed in the cURL sample of the VietQR refund doc (original.md; an HS512 JWT, opaque here).
VIETQR_DOC_TOKEN = (
    "eyJhbGciOiJIUzUxMiJ9.eyJhdXRob3JpdGllcyI6WyJST0xFX1VTRVIiXSwidXNlciI6IlkzVnpkRzl0WlhJdGJtZDFlV1Z1TFhWelpYSXlO"
    "RGt5IiwiaWF0IjoxNzIxMjk3NjAxLCJleHAiOjE3MjEyOTc5MDF9.SEy2kqjhNup2UVaKhldXZQ1bVJn6o69LxgF9r0yA7zBqJWC5n9PhFUYk3G"
    "_oBsmCrAbobMohNHzJRsgqbwsUUA"
)
VIETQR_TOKEN_SOURCE = (
    "Authorization: Bearer <token> printed in the cURL sample of the VietQR refund doc "
    "(https://api.vietqr.vn/en/v1/vietqr-refund-apis/calling-the-refund-api)"
)
VIETQR_SANDBOX = "https://dev.vietqr.org/vqr"


def vietqr():
    out = []
    creds = {
        "username": "customer-vietqrtest-user2468",
        "password": "Y3VzdG9tZXItdmlldHFydGVzdC11c2VyMjQ2OA==",
        "secret_key": "unused",
        "access_token": VIETQR_DOC_TOKEN,
    }
    header = f"Bearer {VIETQR_DOC_TOKEN}"
    out.append(
        {
            "id": "vietqr-bearer-doc-sample-token",
            "provider": "vietqr",
            "target": {"recipe": "bearer"},
            "provenance": {
                "kind": "published",
                "source": VIETQR_TOKEN_SOURCE + "; the header value is reproduced exactly from the access_token",
            },
            "algorithm": "none: the access token itself, placed as \"Bearer \" + token",
            "credentials": creds,
            "credential_source": "access_token = the sample token printed in the VietQR refund doc cURL sample (expired "
            "2024-07-18; HS512 JWT, treated as opaque). username/password = the VietQR doc test account (see "
            "vietqr-token-basic-auth-published), unused by this recipe; secret_key \"unused\" is a dummy.",
            "input": {},
            "expected": {"string_to_sign": VIETQR_DOC_TOKEN, "signature": VIETQR_DOC_TOKEN, "headers": {"Authorization": header}},
            "notes": "Recipe bearer, used as auth by refund, check_order and check_order_h2c. No digest: the value is the "
            "token as given (never decoded or re-encoded).",
        }
    )

    # check_order_h2c, sign stage (checkSum), with the published token in the header.
    fields = {"bankAccount": "0362626234", "type": "0", "value": "0a4cc317-3af3-4055-bc83-7296adb624bf"}
    msg = fields["bankAccount"] + creds["username"]
    md5 = hashlib.md5(msg.encode()).hexdigest()
    out.append(
        {
            "id": "vietqr-check-order-h2c-checksum",
            "provider": "vietqr",
            "target": {"operation": "check_order_h2c"},
            "stage": "sign",
            "provenance": {
                "kind": "computed",
                "source": "checkSum = lowercase_hex(MD5(UTF8(bankAccount + username))), username = the token_generate "
                "username (accessKey); POST /api/ecommerce-transactions/check-order with bankAccount, type, value, "
                "checkSum and a Bearer token (https://api.vietqr.vn/vi/cac-dich-vu-api-khac/host-to-client/"
                "api-check-transaction; formula as https://api.vietqr.vn/tai-lieu-vietqr-api-vn/ket-noi-golive/"
                "check-order; server duchieupham/vietqr_server:src/main/java/com/vietqr/org/util/BankEncryptUtil.java "
                "generateMD5CheckOrderChecksum)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "MD5, lowercase hex",
            "credentials": creds,
            "credential_source": "VietQR documentation test username (see vietqr-token-basic-auth-published). PUBLIC DOC "
            "TEST credential. access_token = the sample token of the refund doc cURL sample; secret_key \"unused\" is a "
            "dummy (not part of this checksum).",
            "input": fields,
            "expected": {
                "string_to_sign": msg,
                "signature": md5,
                "digest_hex": md5,
                "url": f"{VIETQR_SANDBOX}/api/ecommerce-transactions/check-order",
                "method": "POST",
                "headers": {"Content-Type": "application/json", "Authorization": header},
                "body": {**fields, "checkSum": md5},
            },
            "notes": "Host-to-Client lookup by orderId (type \"0\", a string as on the API pages). bankAccount and orderId "
            "are the values of the transaction-sync example of the partner connection doc "
            "(vietqr-transaction-sync-signature-published). URL on the sandbox host.",
        }
    )

    # refund, auth stage (bearer), with the optional fields; the body carries the MD5 checkSum.
    rcreds = dict(creds, secret_key="mySecretKey123")
    fields = {
        "bankCode": "MB",
        "bankAccount": "0373568944",
        "referenceNumber": "FT24200512345678",
        "amount": "150000",
        "content": "Hoan tien don hang DH1002",
        "multiTimes": True,
        "terminalCode": "CH001",
        "subTerminalCode": "Q1",
    }
    msg = rcreds["secret_key"] + fields["referenceNumber"] + fields["amount"] + fields["bankAccount"]
    md5 = hashlib.md5(msg.encode()).hexdigest()
    out.append(
        {
            "id": "vietqr-refund-bearer-auth",
            "provider": "vietqr",
            "target": {"operation": "refund"},
            "stage": "auth",
            "provenance": {
                "kind": "computed",
                "source": "Authorization = \"Bearer \" + access_token (" + VIETQR_TOKEN_SOURCE + "); body checkSum = "
                "lowercase_hex(MD5(UTF8(secretKey + referenceNumber + amount + bankAccount))) "
                "(https://api.vietqr.vn/en/v1/vietqr-refund-apis/calling-the-refund-api; server "
                "duchieupham/vietqr_server:src/main/java/com/vietqr/org/util/BankEncryptUtil.java generateRefundMD5Checksum)",
                "tool": TOOL_HMAC,
            },
            "algorithm": "Bearer token (no digest); body checkSum MD5, lowercase hex",
            "credentials": rcreds,
            "credential_source": "access_token = the sample token printed in the VietQR refund doc cURL sample; "
            "username/password = the VietQR doc test account (unused here); secret_key \"mySecretKey123\" is the dummy "
            "of vietqr-refund-checksum (the real refund secretKey is issued privately by VietQR).",
            "input": fields,
            "expected": {
                "string_to_sign": VIETQR_DOC_TOKEN,
                "signature": VIETQR_DOC_TOKEN,
                "url": f"{VIETQR_SANDBOX}/api/transaction/refund",
                "method": "POST",
                "headers": {"Content-Type": "application/json", "Authorization": header},
                "body": {**fields, "checkSum": md5},
            },
            "notes": f"Checks the auth stage (recipe bearer) of refund; the body carries the sign-stage checkSum over "
            f"{msg!r} (computed here too). Uses every optional field of the doc's cURL sample (multiTimes as a "
            f"Boolean, as the field table says, not the sample's string \"true\"); referenceNumber is a made-up FT "
            f"number. URL on the sandbox host.",
        }
    )
    return out


def main():
    check = "--check" in sys.argv[1:]
    bad = []
    for v in appotapay() + bbmsl() + vietqr():
        path = os.path.join(ROOT, "vectors", v["provider"], v["id"] + ".json")
        text = json.dumps(v, indent=2, ensure_ascii=False) + "\n"
        if check:
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                bad.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(path)
    if bad:
        sys.exit("differs from the generator: " + ", ".join(bad))


if __name__ == "__main__":
    main()
