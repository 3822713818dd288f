//! The generated HiTechPAY refund signer, built without the interpreter, signs the recorded vector
//! `vectors/hitechpay/hitechpay-refund-nofee-2553.json` to its recorded MAC.

use payspec_consumer::hitechpay;

#[test]
fn generated_refund_signer_matches_the_recorded_vector() {
    let creds = hitechpay::Credentials {
        app_id: 2553,
        key1: payspec::Secret::new("PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL"),
        key2: payspec::Secret::new("kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"),
    };
    let req = hitechpay::RefundRequest::builder()
        .m_refund_id("200904_2553_1599189500000123")
        .zp_trans_id("200904000000389")
        .amount(10000)
        .description("ZaloPay Refund Demo")
        .build()
        .unwrap();
    let clock = payspec::Clock { now_ms: 1_599_189_500_000 };
    let signed = hitechpay::sign_refund(&req, &creds, hitechpay::Env::Sandbox, clock).unwrap();
    let stage = signed.stage("sign").unwrap();
    assert_eq!(stage.string_to_sign.0, "2553|200904000000389|10000|ZaloPay Refund Demo|1599189500000");
    let mac = "5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01";
    assert_eq!(stage.signature.0, mac);
    assert_eq!(signed.url, "https://sb-openapi.hitechpay.vn/v2/refund");
    match &signed.body {
        payspec::Body::Json(body) => assert_eq!(body["mac"], mac),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}
