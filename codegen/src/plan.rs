//! The generation plan: every generated type and function, named once, before any code is emitted.

use crate::naming::{ident, pascal, snake, Namer};
use crate::GenError;
use payspec_model::{Callback, Credential, Field, FieldType, Operation, Spec};
use proc_macro2::Ident;

/// The Rust type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    JsonText,
    Int,
    Dec,
    Bool,
    Scalar,
    /// Index into [`Plan::enums`].
    Enum(usize),
    /// Index into [`Plan::structs`].
    Obj(usize),
}

impl Ty {
    /// `i64` and `bool` are read by value; everything else by reference.
    pub fn is_copy(self) -> bool {
        matches!(self, Ty::Int | Ty::Bool)
    }
}

/// Which side of the wire a struct is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Built by the caller and validated (request and its nested objects).
    Request,
    /// Received (response, callback payload and their nested objects).
    Received,
}

pub struct FieldPlan<'s> {
    pub wire: String,
    pub ident: Ident,
    pub def: &'s Field,
    pub ty: Ty,
    /// `Option<T>` in the struct.
    pub optional: bool,
}

impl FieldPlan<'_> {
    /// A `from:` default fills it when the caller leaves it out (top-level request fields only).
    pub fn has_from(&self) -> bool {
        self.def.from.is_some()
    }
}

pub struct StructPlan<'s> {
    pub name: Ident,
    pub fields: Vec<FieldPlan<'s>>,
    pub doc: String,
    pub side: Side,
    /// Top-level request: `from:` defaults apply.
    pub top_request: bool,
    /// Received as text (form / query callbacks): integers and booleans may be strings.
    pub lenient: bool,
}

impl<'s> StructPlan<'s> {
    pub fn field(&self, wire: &str) -> Option<&FieldPlan<'s>> {
        self.fields.iter().find(|f| f.wire == wire)
    }
}

pub struct EnumPlan {
    pub name: Ident,
    pub variants: Vec<(Ident, String)>,
    pub doc: String,
}

pub struct CredPlan<'s> {
    pub name: &'s str,
    pub ident: Ident,
    pub def: &'s Credential,
}

pub struct EnvPlan {
    pub name: String,
    pub variant: Ident,
}

pub struct OpPlan<'s> {
    pub name: &'s str,
    pub op: &'s Operation,
    pub request: usize,
    pub builder: Ident,
    /// The struct of the response: of the object, or of one row of an `array: true` response.
    pub response: Option<usize>,
    /// `array: true`: the name of the `Vec`-of-rows response type (`<Op>Response`; the row struct is `<Op>Row`).
    pub rows_ty: Option<Ident>,
    /// The struct of the `error:` shape (`<Op>Error`).
    pub error: Option<usize>,
    pub sign_fn: Ident,
    pub verify_fn: Option<Ident>,
}

pub struct CbPlan<'s> {
    pub name: &'s str,
    pub cb: &'s Callback,
    pub payload: usize,
    pub verify_fn: Ident,
}

pub struct RecipePlan<'s> {
    pub name: &'s str,
    pub recipe: &'s payspec_model::Recipe,
    pub func: Ident,
}

pub struct Plan<'s> {
    pub structs: Vec<StructPlan<'s>>,
    pub enums: Vec<EnumPlan>,
    pub creds: Vec<CredPlan<'s>>,
    pub envs: Vec<EnvPlan>,
    pub ops: Vec<OpPlan<'s>>,
    pub callbacks: Vec<CbPlan<'s>>,
    pub recipes: Vec<RecipePlan<'s>>,
}

struct Builder<'s> {
    types: Namer,
    plan: Plan<'s>,
    errors: Vec<GenError>,
}

impl<'s> Builder<'s> {
    fn claim_type(&mut self, name: &str, at: &str) -> Ident {
        if !self.types.claim(name) {
            self.errors.push(GenError::new(
                at,
                format!("the generated type name `{name}` is used twice; rename the operation or callback"),
            ));
        }
        ident(name)
    }

    /// Plan a struct for `fields` named `name` (already claimed), with nested types prefixed `prefix`.
    #[allow(clippy::too_many_arguments)]
    fn structure(
        &mut self,
        name: Ident,
        prefix: &str,
        fields: &'s indexmap::IndexMap<String, Field>,
        side: Side,
        top_request: bool,
        lenient: bool,
        doc: String,
        at: &str,
    ) -> usize {
        let idx = self.plan.structs.len();
        self.plan.structs.push(StructPlan { name, fields: Vec::new(), doc, side, top_request, lenient });
        let mut names = Namer::default();
        let mut planned = Vec::new();
        for (wire, def) in fields {
            let fat = format!("{at}.{wire}");
            let ty = match def.ty {
                FieldType::String if !def.values.is_empty() => {
                    let ename = self.types.unique(&format!("{prefix}{}", pascal(wire)));
                    let mut vnames = Namer::default();
                    let variants = def.values.iter().map(|v| (ident(&vnames.unique(&pascal(v))), v.clone())).collect();
                    let doc = format!("Allowed values of `{wire}`.");
                    self.plan.enums.push(EnumPlan { name: ident(&ename), variants, doc });
                    Ty::Enum(self.plan.enums.len() - 1)
                }
                FieldType::String => Ty::Str,
                FieldType::JsonText => Ty::JsonText,
                FieldType::Integer => Ty::Int,
                FieldType::Decimal => Ty::Dec,
                FieldType::Bool => Ty::Bool,
                FieldType::Scalar => Ty::Scalar,
                FieldType::Object => {
                    let sname = self.types.unique(&format!("{prefix}{}", pascal(wire)));
                    let doc = format!("The `{wire}` object.");
                    let sub = self.structure(
                        ident(&sname),
                        &sname,
                        &def.fields,
                        side,
                        false,
                        lenient,
                        doc,
                        &format!("{fat}.fields"),
                    );
                    Ty::Obj(sub)
                }
            };
            let optional = !def.required || (top_request && def.from.is_some());
            planned.push(FieldPlan {
                wire: wire.clone(),
                ident: ident(&names.unique(&snake(wire))),
                def,
                ty,
                optional,
            });
        }
        self.plan.structs[idx].fields = planned;
        idx
    }
}

fn doc_or(doc: &Option<String>, fallback: String) -> String {
    match doc {
        Some(d) if !d.trim().is_empty() => d.trim().to_string(),
        _ => fallback,
    }
}

/// Plan every generated item of `spec`.
pub fn plan(spec: &Spec) -> Result<Plan<'_>, Vec<GenError>> {
    let mut b = Builder {
        types: Namer::default(),
        plan: Plan {
            structs: vec![],
            enums: vec![],
            creds: vec![],
            envs: vec![],
            ops: vec![],
            callbacks: vec![],
            recipes: vec![],
        },
        errors: vec![],
    };
    let mut fns = Namer::default();
    let mut claim_fn = |b: &mut Builder, name: String, at: &str| {
        if !fns.claim(&name) {
            b.errors.push(GenError::new(at, format!("the generated function name `{name}` is used twice")));
        }
        ident(&name)
    };
    for t in ["Env", "Credentials"] {
        b.types.claim(t);
    }

    let mut env_names = Namer::default();
    for name in spec.environments.keys() {
        b.plan.envs.push(EnvPlan { name: name.clone(), variant: ident(&env_names.unique(&pascal(name))) });
    }
    let mut cred_names = Namer::default();
    for (name, def) in &spec.credentials {
        b.plan.creds.push(CredPlan { name, ident: ident(&cred_names.unique(&snake(name))), def });
    }

    // Top-level names first, so nested types never take them.
    let mut tops = Vec::new();
    for (name, op) in &spec.operations {
        let at = format!("operations.{name}");
        let p = pascal(name);
        let req = b.claim_type(&format!("{p}Request"), &at);
        let builder = b.claim_type(&format!("{p}RequestBuilder"), &at);
        let resp = op.response.as_ref().map(|_| b.claim_type(&format!("{p}Response"), &at));
        let row = op.response.as_ref().filter(|r| r.array).map(|_| b.claim_type(&format!("{p}Row"), &at));
        let err = op.response.as_ref().and_then(|r| r.error.as_ref()).map(|_| b.claim_type(&format!("{p}Error"), &at));
        tops.push((name, op, p, req, builder, resp, row, err));
    }
    let mut cb_tops = Vec::new();
    for (name, cb) in &spec.callbacks {
        let at = format!("callbacks.{name}");
        let p = pascal(name);
        let payload = b.claim_type(&format!("{p}Payload"), &at);
        cb_tops.push((name, cb, p, payload));
    }

    for (name, op, p, req, builder, resp, row, err) in tops {
        let at = format!("operations.{name}");
        let doc = format!(
            "Request of `{name}`{}",
            op.doc.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_else(|| ".".into())
        );
        let request = b.structure(req, &p, &op.request, Side::Request, true, false, doc, &format!("{at}.request"));
        let mut rows_ty = None;
        let response = match (resp, &op.response) {
            (Some(id), Some(r)) => {
                let (id, doc) = match row {
                    Some(row) => {
                        rows_ty = Some(id);
                        (row, format!("One row of the `{name}` response (a JSON array of these)."))
                    }
                    None => (id, format!("Response of `{name}`.")),
                };
                Some(b.structure(
                    id,
                    &format!("{p}Response"),
                    &r.fields,
                    Side::Received,
                    false,
                    false,
                    doc,
                    &format!("{at}.response.fields"),
                ))
            }
            _ => None,
        };
        let error = match (err, op.response.as_ref().and_then(|r| r.error.as_ref())) {
            (Some(id), Some(e)) => {
                let codes: Vec<String> = e.http.iter().map(|v| v.text()).collect();
                let doc = format!("Error body of `{name}` (HTTP {}).", codes.join(", "));
                Some(b.structure(
                    id,
                    &format!("{p}Error"),
                    &e.fields,
                    Side::Received,
                    false,
                    false,
                    doc,
                    &format!("{at}.response.error.fields"),
                ))
            }
            _ => None,
        };
        let sign_fn = claim_fn(&mut b, format!("sign_{}", snake(name)), &at);
        let verify_fn = op
            .response
            .as_ref()
            .and_then(|r| r.verify.as_ref())
            .map(|_| claim_fn(&mut b, format!("verify_{}_response", snake(name)), &at));
        b.plan.ops.push(OpPlan { name, op, request, builder, response, rows_ty, error, sign_fn, verify_fn });
    }
    for (name, cb, p, payload) in cb_tops {
        let at = format!("callbacks.{name}");
        let doc = doc_or(&cb.doc, format!("Payload of callback `{name}`."));
        let lenient = !matches!(cb.encoding, payspec_model::PayloadEncoding::Json);
        let payload = b.structure(
            payload,
            &format!("{p}Payload"),
            &cb.fields,
            Side::Received,
            false,
            lenient,
            doc,
            &format!("{at}.fields"),
        );
        let verify_fn = claim_fn(&mut b, format!("verify_{}", snake(name)), &at);
        b.plan.callbacks.push(CbPlan { name, cb, payload, verify_fn });
    }
    for (name, recipe) in &spec.recipes {
        let func = claim_fn(&mut b, format!("recipe_{}", snake(name)), &format!("recipes.{name}"));
        b.plan.recipes.push(RecipePlan { name, recipe, func });
    }
    if b.errors.is_empty() {
        Ok(b.plan)
    } else {
        Err(b.errors)
    }
}
