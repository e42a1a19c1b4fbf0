//! Unordered collections: which types and initializers make a binding a `HashMap` or
//! `HashSet`, which methods iterate it, and which consumers make the order irrelevant.
//! `syn` has no types, so only bindings declared in the same function are known.

use syn::{Expr, GenericArgument, Type};

use crate::imports::Imports;

const HASH_TYPES: &[&str] = &[
    "HashMap",
    "HashSet",
    "FxHashMap",
    "FxHashSet",
    "AHashMap",
    "AHashSet",
    "DashMap",
    "DashSet",
];

/// Collections a `collect()` can end in without the source order mattering.
const ORDER_FREE_SINKS: &[&str] = &[
    "BTreeMap",
    "BTreeSet",
    "BinaryHeap",
    "HashMap",
    "HashSet",
    "FxHashMap",
    "FxHashSet",
    "AHashMap",
    "AHashSet",
];

const CONSTRUCTORS: &[&str] = &[
    "new",
    "with_capacity",
    "from",
    "from_iter",
    "default",
    "with_hasher",
    "with_capacity_and_hasher",
];

/// Methods that visit the entries in the collection's order.
pub const ITERATION_METHODS: &[&str] = &[
    "iter",
    "iter_mut",
    "keys",
    "values",
    "values_mut",
    "into_iter",
    "drain",
    "into_keys",
    "into_values",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
];

/// Adapters that keep "order does not matter" true for the consumer after them.
const ORDER_KEEPING_ADAPTERS: &[&str] = &[
    "map",
    "filter",
    "filter_map",
    "cloned",
    "copied",
    "flat_map",
    "flatten",
];

/// Consumers whose result does not depend on the order they see items in.
pub const ORDER_FREE_CONSUMERS: &[&str] = &[
    "sum",
    "product",
    "count",
    "len",
    "is_empty",
    "min",
    "max",
    "all",
    "any",
    "sorted",
    "sorted_unstable",
    "sorted_by",
    "sorted_by_key",
    "sorted_unstable_by",
    "sorted_unstable_by_key",
];

pub const SORT_METHODS: &[&str] = &[
    "sort",
    "sort_unstable",
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "sort_by_cached_key",
];

fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn type_path(ty: &Type) -> Option<&syn::Path> {
    match ty {
        Type::Path(path) if path.qself.is_none() => Some(&path.path),
        Type::Reference(reference) => type_path(&reference.elem),
        Type::Paren(paren) => type_path(&paren.elem),
        Type::Group(group) => type_path(&group.elem),
        _ => None,
    }
}

fn last_type_name(imports: &Imports, ty: &Type) -> Option<String> {
    let path = type_path(ty)?;
    imports.resolve(&path_segments(path)).pop()
}

/// `HashMap<K, V>`, `&HashSet<T>`, `Map<K, V>` after `use std::collections::HashMap as Map`.
pub fn is_hash_type(imports: &Imports, ty: &Type) -> bool {
    last_type_name(imports, ty).is_some_and(|name| HASH_TYPES.contains(&name.as_str()))
}

pub fn is_order_free_sink(imports: &Imports, ty: &Type) -> bool {
    last_type_name(imports, ty).is_some_and(|name| ORDER_FREE_SINKS.contains(&name.as_str()))
}

/// The type in `collect::<T>()`.
pub fn turbofish_type(turbofish: Option<&syn::AngleBracketedGenericArguments>) -> Option<&Type> {
    turbofish?.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

pub fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(reference) => strip(&reference.expr),
        Expr::Paren(paren) => strip(&paren.expr),
        Expr::Group(group) => strip(&group.expr),
        _ => expr,
    }
}

/// The name of a plain local variable (`m`, `&m`, `&mut m`).
pub fn local_name(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

/// Whether an initializer builds a hash collection: `HashMap::new()`,
/// `HashSet::with_capacity(n)`, `HashMap::from([..])`, `iter.collect::<HashMap<_, _>>()`,
/// `maplit::hashmap! {..}`, or a clone of a hash binding.
pub fn is_hash_init(
    imports: &Imports,
    expr: &Expr,
    is_hash_binding: impl Fn(&str) -> bool,
) -> bool {
    match strip(expr) {
        Expr::Call(call) => {
            let Expr::Path(func) = strip(&call.func) else {
                return false;
            };
            let resolved = imports.resolve(&path_segments(&func.path));
            let n = resolved.len();
            n >= 2
                && HASH_TYPES.contains(&resolved[n - 2].as_str())
                && CONSTRUCTORS.contains(&resolved[n - 1].as_str())
        }
        Expr::MethodCall(call) if call.method == "collect" => {
            let turbofish = call.turbofish.as_ref();
            turbofish_type(turbofish).is_some_and(|ty| is_hash_type(imports, ty))
        }
        Expr::MethodCall(call) if call.method == "clone" => {
            local_name(&call.receiver).is_some_and(|name| is_hash_binding(&name))
        }
        Expr::Macro(mac) => mac
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "hashmap" || s.ident == "hashset"),
        _ => false,
    }
}

/// Walks a method chain from the outside in, through order-keeping adapters, to the
/// call that starts iterating; returns it when its receiver is a hash binding.
pub fn iteration_at_base<'e>(
    expr: &'e Expr,
    is_hash_binding: &impl Fn(&str) -> bool,
) -> Option<&'e syn::ExprMethodCall> {
    let mut expr = strip(expr);
    while let Expr::MethodCall(call) = expr {
        let method = call.method.to_string();
        if ITERATION_METHODS.contains(&method.as_str())
            && local_name(&call.receiver).is_some_and(|name| is_hash_binding(&name))
        {
            return Some(call);
        }
        if !ORDER_KEEPING_ADAPTERS.contains(&method.as_str()) {
            return None;
        }
        expr = strip(&call.receiver);
    }
    None
}

/// The `collect()` call at the end of `expr`, if it collects into something unordered.
pub fn is_collect(expr: &Expr) -> Option<&syn::ExprMethodCall> {
    match strip(expr) {
        Expr::MethodCall(call) if call.method == "collect" => Some(call),
        _ => None,
    }
}
