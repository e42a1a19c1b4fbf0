//! The course's translation microservice: `GET /translate?lang=fr&term=hello`.
//!
//! Behaves like `microservice/translation-service.go` of Temporal's 102 course, so that
//! activities and tests written against either see the same answers: the body is plain
//! text, a capitalized term gives a capitalized translation, errors are status 400 with
//! the Go service's message and the newline that Go's `http.Error` appends. Every
//! successful translation is printed as `Translated 'Hello' to 'fr' as 'Bonjour'` and kept
//! in [`ServiceHandle::translations`], which is how a test (or a learner watching the
//! terminal) sees that a completed activity was not run again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The port the course's service listens on, and the default of `workshop microservice`.
pub const DEFAULT_PORT: u16 = 9998;

/// The languages the service knows, in the course's order.
pub const LANGUAGES: [&str; 8] = ["de", "es", "fr", "lv", "mi", "sk", "tr", "zu"];

/// Translation of a lower-case term, as the course's service has it (quirks included:
/// Zulu hello and goodbye are swapped there, and so they are here).
pub fn lookup(lang: &str, term: &str) -> Option<&'static str> {
    let row: [&str; 3] = match lang {
        "de" => ["hallo", "auf wiedersehen", "danke schön"],
        "es" => ["hola", "adiós", "gracias"],
        "fr" => ["bonjour", "au revoir", "merci"],
        "lv" => ["sveiks", "ardievu", "paldies"],
        "mi" => ["kia ora", "poroporoaki", "whakawhetai koe"],
        "sk" => ["ahoj", "zbohom", "ďakujem"],
        "tr" => ["merhaba", "güle güle", "teşekkür ederim"],
        "zu" => ["hamba kahle", "sawubona", "ngiyabonga"],
        _ => return None,
    };
    match term {
        "hello" => Some(row[0]),
        "goodbye" => Some(row[1]),
        "thanks" => Some(row[2]),
        _ => None,
    }
}

/// What one request gets: the status and the plain-text body, exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    fn ok(body: String) -> Self {
        Answer { status: 200, body }
    }

    /// Go's `http.Error` writes the message followed by a newline.
    fn bad_request(message: String) -> Self {
        Answer { status: 400, body: format!("{message}\n") }
    }
}

/// Answers a query given as its decoded `(key, value)` pairs; the first value of a
/// repeated key counts, as with Go's `r.URL.Query()[key][0]`.
pub fn answer(query: &[(String, String)]) -> Answer {
    let first = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let Some(lang) = first("lang") else {
        return Answer::bad_request("Missing required 'lang' parameter.".into());
    };
    let lang = lang.to_lowercase();
    if !LANGUAGES.contains(&lang.as_str()) {
        return Answer::bad_request(format!("Unknown language code '{lang}'"));
    }
    let Some(term) = first("term") else {
        return Answer::bad_request("Missing required 'term' parameter.".into());
    };
    match lookup(&lang, &term.to_lowercase()) {
        Some(translation) => {
            let starts_upper = term.chars().next().is_some_and(char::is_uppercase);
            Answer::ok(if starts_upper { capitalize(translation) } else { translation.to_string() })
        }
        None => Answer::bad_request(format!("Unable to translate term '{term}' to language '{lang}'")),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The log lines of successful translations, shared between the server and its handle.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        println!("{line}");
        tracing::info!(target: "translation_service", "{line}");
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }

    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

async fn translate(State(log): State<Log>, Query(query): Query<Vec<(String, String)>>) -> Response {
    let answer = answer(&query);
    if answer.status == 200 {
        let term = query.iter().find(|(k, _)| k == "term").map(|(_, v)| v.as_str()).unwrap_or_default();
        let lang = query.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.to_lowercase()).unwrap_or_default();
        log.push(format!("Translated '{term}' to '{lang}' as '{}'", answer.body));
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], answer.body).into_response()
}

fn router(log: Log) -> Router {
    Router::new().route("/translate", get(translate)).with_state(log)
}

/// Serves on `listener` until the future is dropped.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(Log::default())).await
}

/// A service running on its own thread; dropping the handle stops it.
pub struct ServiceHandle {
    addr: SocketAddr,
    log: Log,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServiceHandle {
    /// The address the service is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`, as `TRANSLATION_SERVICE_URL` takes it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every successful translation so far, as the log lines the service printed.
    pub fn translations(&self) -> Vec<String> {
        self.log.lines()
    }

    /// Stops the service and waits for its thread.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServiceHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// Binds `addr` (use port 0 in tests) and serves on a thread of its own, with its own
/// runtime, so that sync tests and async tests on any runtime can use it alike.
pub fn start(addr: impl std::net::ToSocketAddrs) -> std::io::Result<(SocketAddr, ServiceHandle)> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let bound = std_listener.local_addr()?;
    let log = Log::default();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let app = router(log.clone());
    let thread = std::thread::Builder::new().name("translation-service".into()).spawn(move || {
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(listener) => listener,
                Err(err) => {
                    eprintln!("translation service: {err}");
                    return;
                }
            };
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                eprintln!("translation service: {err}");
            }
        });
    })?;
    let handle = ServiceHandle { addr: bound, log, shutdown: Some(tx), thread: Some(thread) };
    Ok((bound, handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn translates_keeping_capitalization() {
        assert_eq!(answer(&q(&[("lang", "fr"), ("term", "Hello")])), Answer::ok("Bonjour".into()));
        assert_eq!(answer(&q(&[("lang", "fr"), ("term", "hello")])), Answer::ok("bonjour".into()));
        assert_eq!(answer(&q(&[("lang", "SK"), ("term", "Goodbye")])), Answer::ok("Zbohom".into()));
        assert_eq!(answer(&q(&[("lang", "lv"), ("term", "goodbye")])), Answer::ok("ardievu".into()));
        assert_eq!(answer(&q(&[("lang", "sk"), ("term", "Thanks")])), Answer::ok("Ďakujem".into()));
        assert_eq!(answer(&q(&[("lang", "zu"), ("term", "hello")])), Answer::ok("hamba kahle".into()));
    }

    #[test]
    fn every_language_has_every_term() {
        for lang in LANGUAGES {
            for term in ["hello", "goodbye", "thanks"] {
                assert!(lookup(lang, term).is_some(), "{lang} {term}");
            }
        }
    }

    #[test]
    fn errors_are_the_go_services() {
        let bad = |body: &str| Answer { status: 400, body: body.to_string() };
        assert_eq!(answer(&q(&[("term", "hello")])), bad("Missing required 'lang' parameter.\n"));
        assert_eq!(answer(&q(&[("lang", "xq"), ("term", "hello")])), bad("Unknown language code 'xq'\n"));
        assert_eq!(answer(&q(&[("lang", "fr")])), bad("Missing required 'term' parameter.\n"));
        assert_eq!(
            answer(&q(&[("lang", "fr"), ("term", "Cheers")])),
            bad("Unable to translate term 'Cheers' to language 'fr'\n")
        );
        // Go checks the language before the term.
        assert_eq!(answer(&q(&[("lang", "XQ")])), bad("Unknown language code 'xq'\n"));
    }

    fn get(url: &str) -> (u16, String) {
        let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build());
        let mut resp = agent.get(url).call().expect("request");
        (resp.status().as_u16(), resp.body_mut().read_to_string().expect("body"))
    }

    #[test]
    fn serves_over_http_and_logs_translations() {
        let (addr, service) = start("127.0.0.1:0").expect("start");
        assert_ne!(addr.port(), 0);
        let base = service.url();
        assert_eq!(get(&format!("{base}/translate?lang=fr&term=Hello")), (200, "Bonjour".into()));
        assert_eq!(get(&format!("{base}/translate?lang=es&term=goodbye")), (200, "adiós".into()));
        assert_eq!(
            get(&format!("{base}/translate?lang=xq&term=hello")),
            (400, "Unknown language code 'xq'\n".into())
        );
        assert_eq!(get(&format!("{base}/translate?term=hello")), (400, "Missing required 'lang' parameter.\n".into()));
        assert_eq!(
            service.translations(),
            vec!["Translated 'Hello' to 'fr' as 'Bonjour'".to_string(), "Translated 'goodbye' to 'es' as 'adiós'".to_string()]
        );
        service.stop();
        assert!(std::net::TcpStream::connect(addr).is_err(), "stopped service still accepts");
    }
}
