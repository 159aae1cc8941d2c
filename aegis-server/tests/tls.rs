//! HTTPS: the server given a certificate and key serves the API over rustls, and a client
//! that trusts the certificate talks to it; a plain-HTTP request to the TLS port gets nothing
//! back. The certificate is made by `openssl` (Debian's) on the fly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use aegis_app::service::{Service, ServiceConfig};
use aegis_server::ServerConfig;

/// A CA and a server certificate for localhost signed by it: (CA certificate, server
/// certificate, server key).
fn certificate(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let p = |name: &str| dir.join(name);
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl (Debian's) runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=Aegis test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        p("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.pem",
    ]);
    (p("ca.pem"), p("server.pem"), p("server.key"))
}

#[test]
fn https_serves_the_api_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificate(dir.path());
    let service = Service::open(
        &[&aegis_domain_healthcare::Healthcare],
        ServiceConfig::new(dir.path().join("svc")),
    )
    .unwrap();
    let (_, api_key) = service.create_org("acme").unwrap();
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        tls: Some((cert, key)),
        workers: 1,
        ..ServerConfig::default()
    };
    let state = aegis_server::state(service, &config);
    let (addr_tx, addr_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(aegis_server::run(
            state,
            config,
            async move {
                let _ = stop_rx.await;
            },
            move |addr| addr_tx.send(addr).unwrap(),
        ))
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let pem = std::fs::read(&ca).unwrap();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = format!("https://localhost:{}", addr.port());
    let health = client.get(format!("{base}/healthz")).send().unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().unwrap(), "ok");
    let answer = client
        .post(format!("{base}/v1/evaluate"))
        .bearer_auth(&api_key.secret)
        .body(r#"{"id": "t-1", "output": "Take 1000 mg of acetaminophen every 6 hours.", "metadata": {"domain": "healthcare"}}"#)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().unwrap();
    assert!(body["decision"]["action"].is_string(), "{body}");
    // Plain HTTP to the TLS port: no HTTP answer.
    let plain = reqwest::blocking::Client::new()
        .get(format!("http://127.0.0.1:{}/healthz", addr.port()))
        .timeout(Duration::from_secs(5))
        .send();
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    // A client that does not trust the certificate is refused.
    let untrusting = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .get(format!("{base}/healthz"))
        .send();
    assert!(untrusting.is_err());
    stop_tx.send(()).unwrap();
    server.join().unwrap().unwrap();
}
