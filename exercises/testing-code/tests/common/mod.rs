//! What the tests share: the translation microservice, started once per test binary on a
//! free port. `TranslateTerm` finds it through `TRANSLATION_SERVICE_URL`.

use std::sync::OnceLock;

pub fn start_translation_service() {
    static SERVICE: OnceLock<translation_service::ServiceHandle> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let (_, service) =
            translation_service::start("127.0.0.1:0").expect("start the translation service");
        // SAFETY: set once, under the OnceLock, before any activity of this test binary reads it.
        unsafe { std::env::set_var("TRANSLATION_SERVICE_URL", service.url()) };
        service
    });
}
