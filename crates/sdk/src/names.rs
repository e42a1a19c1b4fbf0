//! Type names: how a workflow or activity function becomes the name recorded in
//! the history (`translation_workflow` -> `TranslationWorkflow`), as the Go SDK derives
//! names from function names.

/// The registered type name of a function item: the PascalCase form of its last path
/// segment. `None` for closures and other unnamed types, which need an explicit name.
pub fn type_name_of<F>() -> Option<String> {
    let full = std::any::type_name::<F>();
    // Generic arguments would confuse the split on `::`.
    let without_generics = full.split('<').next().unwrap_or(full);
    let last = without_generics.rsplit("::").next().unwrap_or(without_generics);
    if last.is_empty() || last.contains('{') || last.contains(' ') {
        return None;
    }
    Some(pascal_case(last))
}

/// `translate_term` -> `TranslateTerm`; already PascalCase names stay as they are.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = true;
    for c in name.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The name for `F`, or a panic that tells the learner what to do instead.
#[track_caller]
pub(crate) fn required_type_name<F>(what: &str) -> String {
    type_name_of::<F>().unwrap_or_else(|| {
        panic!(
            "cannot derive a {what} type name from `{}`: pass a named function, or use the `_as` variant with an explicit name",
            std::any::type_name::<F>()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn translation_workflow() {}
    fn get_distance() {}

    #[test]
    fn function_names_become_pascal_case() {
        fn name<F>(_: F) -> Option<String> {
            type_name_of::<F>()
        }
        assert_eq!(name(translation_workflow).as_deref(), Some("TranslationWorkflow"));
        assert_eq!(name(get_distance).as_deref(), Some("GetDistance"));
        assert_eq!(name(|| ()), None);
        assert_eq!(pascal_case("say_hello_world"), "SayHelloWorld");
        assert_eq!(pascal_case("Noop"), "Noop");
    }
}
