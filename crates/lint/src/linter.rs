//! The syntax walk: finds workflow functions (a parameter of type `WorkflowContext`,
//! closures included) and reports the hazards in their bodies, nested blocks, closures
//! and macro bodies included. Code outside workflow functions is not judged.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use proc_macro2::{LineColumn, Span};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, FnArg, Pat, Signature, Type};

use crate::finding::{Finding, Rule};
use crate::hazards;
use crate::imports::Imports;
use crate::macros::{self, Body};
use crate::unordered;

/// `ctx` methods whose closure runs once and has its result recorded in history.
const SIDE_EFFECT_METHODS: &[&str] = &["side_effect", "mutable_side_effect"];

/// Where a piece of code starts and ends (span positions are stable keys).
type Position = (LineColumn, LineColumn);

fn key(position: Position) -> (usize, usize, usize, usize) {
    (
        position.0.line,
        position.0.column,
        position.1.line,
        position.1.column,
    )
}

fn position(span: Span) -> Position {
    (span.start(), span.end())
}

pub struct Linter<'a> {
    file: &'a Path,
    lines: Vec<&'a str>,
    imports: Imports,
    in_workflow: bool,
    /// Per scope, whether each local name is bound to a hash collection.
    bindings: Vec<HashMap<String, bool>>,
    /// Hash iterations whose order cannot matter (`m.values().sum()`).
    order_free: HashSet<(usize, usize, usize, usize)>,
    /// Hash iterations collected into a binding: reported unless that binding is sorted.
    collected_into: HashMap<(usize, usize, usize, usize), String>,
    /// Findings waiting on `name.sort()` to be dropped.
    pending: HashMap<String, Vec<Finding>>,
    pub findings: Vec<Finding>,
    pub workflows: usize,
}

impl<'a> Linter<'a> {
    pub fn new(file: &'a Path, source: &'a str) -> Self {
        Linter {
            file,
            lines: source.lines().collect(),
            imports: Imports::default(),
            in_workflow: false,
            bindings: Vec::new(),
            order_free: HashSet::new(),
            collected_into: HashMap::new(),
            pending: HashMap::new(),
            findings: Vec::new(),
            workflows: 0,
        }
    }

    pub fn lint(mut self, file: &syn::File) -> (Vec<Finding>, usize) {
        self.visit_file(file);
        self.flush_pending();
        self.findings.sort_by_key(|f| (f.line, f.column, f.rule));
        self.findings
            .dedup_by(|a, b| (a.line, a.column, a.rule) == (b.line, b.column, b.rule));
        (self.findings, self.workflows)
    }

    fn flush_pending(&mut self) {
        for (_, findings) in self.pending.drain() {
            self.findings.extend(findings);
        }
    }

    fn finding(&self, rule: Rule, (start, end): Position, message: String) -> Finding {
        let source_line = self
            .lines
            .get(start.line.saturating_sub(1))
            .copied()
            .unwrap_or("");
        let stop = if end.line == start.line {
            end.column
        } else {
            usize::MAX
        };
        let snippet: String = source_line
            .chars()
            .skip(start.column)
            .take(stop.saturating_sub(start.column))
            .collect();
        let snippet = if end.line == start.line {
            snippet
        } else {
            strip_line_comment(&snippet)
        };
        Finding {
            file: self.file.to_path_buf(),
            line: start.line,
            column: start.column + 1,
            rule,
            snippet: snippet.trim_end().to_string(),
            message,
            suggestion: rule.suggestion().to_string(),
            source_line: source_line.to_string(),
        }
    }

    fn is_context_type(&self, ty: &Type) -> bool {
        match ty {
            Type::Path(path) if path.qself.is_none() => {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                self.imports
                    .resolve(&segments)
                    .last()
                    .is_some_and(|last| last == "WorkflowContext")
            }
            Type::Reference(reference) => self.is_context_type(&reference.elem),
            Type::Paren(paren) => self.is_context_type(&paren.elem),
            Type::Group(group) => self.is_context_type(&group.elem),
            _ => false,
        }
    }

    fn is_workflow_signature(&self, sig: &Signature) -> bool {
        sig.inputs.iter().any(|arg| match arg {
            FnArg::Typed(arg) => self.is_context_type(&arg.ty),
            FnArg::Receiver(_) => false,
        })
    }

    /// Names of typed parameters and whether each is a hash collection.
    fn typed_bindings<'p>(
        &self,
        params: impl Iterator<Item = (&'p Pat, &'p Type)>,
    ) -> HashMap<String, bool> {
        params
            .filter_map(|(pat, ty)| {
                pat_ident(pat).map(|name| (name, unordered::is_hash_type(&self.imports, ty)))
            })
            .collect()
    }

    fn is_hash_binding(&self, name: &str) -> bool {
        self.bindings
            .iter()
            .rev()
            .find_map(|scope| scope.get(name).copied())
            .unwrap_or(false)
    }

    /// Runs `walk` as the body of a function item: its own locals, workflow or not.
    fn in_function(
        &mut self,
        workflow: bool,
        params: HashMap<String, bool>,
        walk: impl FnOnce(&mut Self),
    ) {
        let was_workflow = std::mem::replace(&mut self.in_workflow, workflow);
        let outer_bindings = std::mem::replace(&mut self.bindings, vec![params]);
        let outer_pending = std::mem::take(&mut self.pending);
        if workflow {
            self.workflows += 1;
        }
        walk(self);
        self.flush_pending();
        self.pending = outer_pending;
        self.bindings = outer_bindings;
        self.in_workflow = was_workflow;
    }

    /// Reports `path` (called when `call` is set) if it names a hazard.
    fn check_path(&mut self, path: &syn::Path, span: Span, call: bool) -> bool {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        // A lone name is a hazard only as an imported function (`use rand::random;
        // random()`); otherwise it is a local variable.
        if segments.len() == 1 && !call {
            return false;
        }
        let lone = segments.len() == 1
            && segments[0] != "thread_rng"
            && !self.imports.is_imported(&segments[0]);
        let candidates = if lone {
            self.imports.glob_candidates(&segments)
        } else {
            self.imports.candidates(&segments)
        };
        let Some((rule, full)) = hazards::classify(&candidates) else {
            return false;
        };
        let written = segments.join("::");
        let full = full.join("::");
        let parens = if call { "()" } else { "" };
        let name = if full == written {
            format!("`{written}{parens}`")
        } else {
            format!("`{written}{parens}` (`{full}`)")
        };
        let finding = self.finding(rule, position(span), format!("{name} {}", rule.why()));
        self.findings.push(finding);
        true
    }

    fn report_hash_iteration(&mut self, name: &str, at: Position, what: &str) {
        let message = format!(
            "{what} iterates the hash collection `{name}`, which {}",
            Rule::HashIteration.why()
        );
        let finding = self.finding(Rule::HashIteration, at, message);
        match self.collected_into.remove(&key(at)) {
            Some(target) => self.pending.entry(target).or_default().push(finding),
            None => self.findings.push(finding),
        }
    }

    /// `let v: BTreeSet<_> = m.keys().collect()` is fine; `let v: Vec<_> =
    /// m.keys().collect()` is fine only if `v` is sorted later.
    fn plan_collect(&mut self, local: &syn::Local, init: &Expr) {
        let Some(collect) = unordered::is_collect(init) else {
            return;
        };
        let bindings = &self.bindings;
        let is_hash = |name: &str| {
            bindings
                .iter()
                .rev()
                .find_map(|scope| scope.get(name).copied())
                .unwrap_or(false)
        };
        let Some(base) = unordered::iteration_at_base(&collect.receiver, &is_hash) else {
            return;
        };
        let at = key(position(base.span()));
        let annotated = match &local.pat {
            Pat::Type(typed) => Some(&*typed.ty),
            _ => None,
        };
        let sink = unordered::turbofish_type(collect.turbofish.as_ref()).or(annotated);
        if sink.is_some_and(|ty| unordered::is_order_free_sink(&self.imports, ty)) {
            self.order_free.insert(at);
        } else if let Some(name) = pat_ident(&local.pat) {
            self.collected_into.insert(at, name);
        }
    }

    fn visit_macro_body(&mut self, body: Body) {
        match body {
            Body::Exprs(exprs) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Body::Stmts(stmts) => {
                self.imports.push_stmts(&stmts);
                self.bindings.push(HashMap::new());
                stmts.iter().for_each(|s| self.visit_stmt(s));
                self.bindings.pop();
                self.imports.pop();
            }
            Body::Opaque => {}
        }
    }
}

/// The code part of the first line of a multi-line snippet (`spawn(move || { // note`).
fn strip_line_comment(line: &str) -> String {
    let mut in_string = false;
    let mut previous = '\0';
    for (index, c) in line.char_indices() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '/' if previous == '/' && !in_string => {
                return line[..index - 1].trim_end().to_string();
            }
            _ => {}
        }
        previous = c;
    }
    line.to_string()
}

fn pat_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) => Some(ident.ident.to_string()),
        Pat::Type(typed) => pat_ident(&typed.pat),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Linter<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        self.imports.push_items(&file.items);
        visit::visit_file(self, file);
        self.imports.pop();
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if let Some((_, items)) = &module.content {
            self.imports.push_items(items);
            items.iter().for_each(|item| self.visit_item(item));
            self.imports.pop();
        }
    }

    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        let workflow = self.is_workflow_signature(&function.sig);
        let params = self.typed_bindings(typed_inputs(&function.sig));
        self.in_function(workflow, params, |this| this.visit_block(&function.block));
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        let workflow = self.is_workflow_signature(&function.sig);
        let params = self.typed_bindings(typed_inputs(&function.sig));
        self.in_function(workflow, params, |this| this.visit_block(&function.block));
    }

    fn visit_trait_item_fn(&mut self, function: &'ast syn::TraitItemFn) {
        if let Some(block) = &function.default {
            let workflow = self.is_workflow_signature(&function.sig);
            let params = self.typed_bindings(typed_inputs(&function.sig));
            self.in_function(workflow, params, |this| this.visit_block(block));
        }
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        let typed: Vec<(&Pat, &Type)> = closure
            .inputs
            .iter()
            .filter_map(|input| match input {
                Pat::Type(typed) => Some((&*typed.pat, &*typed.ty)),
                _ => None,
            })
            .collect();
        let starts_workflow =
            !self.in_workflow && typed.iter().any(|(_, ty)| self.is_context_type(ty));
        let params = self.typed_bindings(typed.into_iter());
        let was_workflow = self.in_workflow;
        if starts_workflow {
            self.in_workflow = true;
            self.workflows += 1;
        }
        self.bindings.push(params);
        self.visit_expr(&closure.body);
        self.bindings.pop();
        self.in_workflow = was_workflow;
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.imports.push_stmts(&block.stmts);
        self.bindings.push(HashMap::new());
        block.stmts.iter().for_each(|stmt| self.visit_stmt(stmt));
        self.bindings.pop();
        self.imports.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            if self.in_workflow {
                self.plan_collect(local, &init.expr);
            }
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        if let Some(name) = pat_ident(&local.pat) {
            let is_hash = match &local.pat {
                Pat::Type(typed) => unordered::is_hash_type(&self.imports, &typed.ty),
                _ => local.init.as_ref().is_some_and(|init| {
                    unordered::is_hash_init(&self.imports, &init.expr, |n| self.is_hash_binding(n))
                }),
            };
            if let Some(scope) = self.bindings.last_mut() {
                scope.insert(name, is_hash);
            }
        }
    }

    fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
        if self.in_workflow
            && let Some(name) = unordered::local_name(&for_loop.expr)
            && self.is_hash_binding(&name)
        {
            let at = (for_loop.for_token.span.start(), for_loop.expr.span().end());
            self.report_hash_iteration(&name, at, "this `for` loop");
        }
        visit::visit_expr_for_loop(self, for_loop);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if self.in_workflow && SIDE_EFFECT_METHODS.contains(&call.method.to_string().as_str()) {
            // `ctx.side_effect(|| ..)` records its closure's result in history: the closure
            // is where non-deterministic code belongs.
            self.visit_expr(&call.receiver);
            self.in_workflow = false;
            call.args.iter().for_each(|arg| self.visit_expr(arg));
            self.in_workflow = true;
            return;
        }
        if self.in_workflow {
            let method = call.method.to_string();
            let order_free_sink = method == "collect"
                && unordered::turbofish_type(call.turbofish.as_ref())
                    .is_some_and(|ty| unordered::is_order_free_sink(&self.imports, ty));
            if order_free_sink || unordered::ORDER_FREE_CONSUMERS.contains(&method.as_str()) {
                let base =
                    unordered::iteration_at_base(&call.receiver, &|n| self.is_hash_binding(n));
                if let Some(base) = base {
                    self.order_free.insert(key(position(base.span())));
                }
            }
            if unordered::SORT_METHODS.contains(&method.as_str())
                && let Some(name) = unordered::local_name(&call.receiver)
            {
                self.pending.remove(&name);
            }
            if unordered::ITERATION_METHODS.contains(&method.as_str())
                && let Some(name) = unordered::local_name(&call.receiver)
            {
                let at = position(call.span());
                if self.is_hash_binding(&name) && !self.order_free.contains(&key(at)) {
                    self.report_hash_iteration(&name, at, &format!("`.{method}()`"));
                }
            }
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if self.in_workflow
            && let Expr::Path(func) = &*call.func
            && func.qself.is_none()
            && self.check_path(&func.path, call.span(), true)
        {
            call.args.iter().for_each(|arg| self.visit_expr(arg));
            return;
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if self.in_workflow && path.qself.is_none() {
            self.check_path(&path.path, path.span(), false);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if !self.in_workflow {
            return;
        }
        let segments: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let resolved = self.imports.resolve(&segments);
        if resolved.last().is_some_and(|name| name == "select") {
            if !macros::is_biased(&mac.tokens) {
                let at = (mac.path.span().start(), mac.bang_token.span.end());
                let written = segments.join("::");
                let full = resolved.join("::");
                let written = if written == full {
                    format!("`{written}!`")
                } else {
                    format!("`{written}!` (`{full}!`)")
                };
                let message = format!("{written} {}", Rule::UnbiasedSelect.why());
                let finding = self.finding(Rule::UnbiasedSelect, at, message);
                self.findings.push(finding);
            }
            if let Some(exprs) = macros::parse_select(&mac.tokens) {
                self.visit_macro_body(Body::Exprs(exprs));
            }
            return;
        }
        self.visit_macro_body(macros::parse_body(&mac.tokens));
    }
}

fn typed_inputs(sig: &Signature) -> impl Iterator<Item = (&Pat, &Type)> {
    sig.inputs.iter().filter_map(|arg| match arg {
        FnArg::Typed(arg) => Some((&*arg.pat, &*arg.ty)),
        FnArg::Receiver(_) => None,
    })
}
