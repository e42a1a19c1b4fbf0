//! Macro bodies: `syn` leaves them as tokens, so workflow code inside `println!`,
//! `join!` or `select!` is re-parsed here to be linted like any other code, and
//! `select!` is checked for `biased;`.

use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Block, Expr, ExprBlock, Pat, Stmt, Token};

/// What a macro body holds, as far as it parses as Rust.
pub enum Body {
    Exprs(Vec<Expr>),
    Stmts(Vec<Stmt>),
    Opaque,
}

/// `format!("..", a, b)`, `vec![a; n]`, `join!(a, b)`, ...
pub fn parse_body(tokens: &TokenStream) -> Body {
    let exprs = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(tokens.clone());
    if let Ok(exprs) = exprs {
        return Body::Exprs(exprs.into_iter().collect());
    }
    match Block::parse_within.parse2(tokens.clone()) {
        Ok(stmts) => Body::Stmts(stmts),
        Err(_) => Body::Opaque,
    }
}

/// Whether a `select!` body starts with `biased;`.
pub fn is_biased(tokens: &TokenStream) -> bool {
    let mut tokens = tokens.clone().into_iter();
    matches!(
        (tokens.next(), tokens.next()),
        (Some(TokenTree::Ident(ident)), Some(TokenTree::Punct(punct)))
            if ident == "biased" && punct.as_char() == ';'
    )
}

/// The expressions of a `tokio::select!` / `futures::select!` body: each branch's
/// future, precondition and handler (`pat = fut, if cond => handler,`, `else => ..`,
/// `complete => ..`, `default => ..`).
pub fn parse_select(tokens: &TokenStream) -> Option<Vec<Expr>> {
    let parser = |input: ParseStream| -> syn::Result<Vec<Expr>> {
        let mut exprs = Vec::new();
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
        while !input.is_empty() {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
            } else if input.peek(syn::Ident) && input.peek2(Token![=>]) {
                input.parse::<syn::Ident>()?;
            } else {
                Pat::parse_multi_with_leading_vert(input)?;
                input.parse::<Token![=]>()?;
                exprs.push(input.parse()?);
                if input.peek(Token![,]) && input.peek2(Token![if]) {
                    input.parse::<Token![,]>()?;
                    input.parse::<Token![if]>()?;
                    exprs.push(input.parse()?);
                }
            }
            input.parse::<Token![=>]>()?;
            if input.peek(syn::token::Brace) {
                let block: Block = input.parse()?;
                exprs.push(Expr::Block(ExprBlock {
                    attrs: Vec::new(),
                    label: None,
                    block,
                }));
            } else {
                exprs.push(input.parse()?);
            }
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(exprs)
    };
    parser.parse2(tokens.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_bodies_parse_into_their_expressions() {
        let tokens: TokenStream = "
            biased;
            Some(v) = rx.recv(), if open => { handle(v) }
            (a, b) = pair() => a + b,
            _ = sleep(d) => 0,
            else => 1,
        "
        .parse()
        .unwrap();
        assert!(is_biased(&tokens));
        let exprs = parse_select(&tokens).expect("parses");
        assert_eq!(exprs.len(), 8);
    }

    #[test]
    fn unbiased_select_is_recognized() {
        let tokens: TokenStream = "x = a => 1, y = b => 2".parse().unwrap();
        assert!(!is_biased(&tokens));
        assert_eq!(parse_select(&tokens).map(|e| e.len()), Some(4));
    }
}
