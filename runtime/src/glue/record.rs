//! JSON intake and output of generated structs, without serde's derive per type.
//!
//! Every generated request, response, payload, object and builder lists its fields once, in a
//! [`record!`](crate::glue::record) invocation; the macro implements [`Record`] (and for all but
//! builders [`Emit`], [`Field`] and `serde::Serialize`) in a few lines that call the functions of
//! this module, and `serde::Deserialize` through [`de`]. They read and write exactly what serde's
//! derive read and wrote for the same struct (`#[serde(rename = …)]` per field, `deny_unknown_fields`
//! on top-level requests, `default` on builders, `skip_serializing_none`, exact decimals, lenient
//! integers and booleans on `lenient` payloads), with the same error messages, the first error
//! being the one the derive reports first: entries in input order (an unknown, duplicate or
//! mistyped field), then missing fields in declaration order.
//!
//! The difference is inside: the derive deserialised each value into its field's type as it read
//! it; here a value is read as JSON first and converted once the object has been read, so a
//! consumer type-checks one generic implementation (this module) instead of ~250 lines per struct.
//! When parsing from text rather than from a `serde_json::Value`, an error's line and column are
//! therefore those of the end of the object.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// A generated struct read from JSON through its field list (see the [module](self)).
pub trait Record: Sized {
    /// The Rust name (serde's messages: "expected struct …").
    const NAME: &'static str;
    /// The wire names, in declaration order.
    const FIELDS: &'static [&'static str];
    /// Unknown fields are refused (serde's `deny_unknown_fields`).
    const STRICT: bool = false;
    /// Integers and booleans are also read from their text (`"12"`, `"true"`).
    const LENIENT: bool = false;
    /// A missing field takes its default (serde's `default`; builders, whose fields are all
    /// `Option`s): matters only for input given as an array.
    const DEFAULT: bool = false;
    /// The value from its fields, in declaration order ([`Slots::take`] for each).
    fn read(s: &mut Slots) -> Result<Self, Problem>;
    /// Each field's conversion on its own ([`Slots::probe`] for each, in declaration order), to
    /// find the error serde's derive reports first.
    fn probe(s: &mut Slots);
}

/// A generated struct written as JSON through its field list.
pub trait Emit: Record {
    /// Each field's value, in declaration order ([`Out::put`] for each).
    fn write(&self, out: &mut Out);
}

/// A field's type: how a JSON value becomes one, and back.
pub trait Field: Sized {
    /// The value of `v` (`lenient`: integers and booleans also from their text).
    fn from_json(v: Value, lenient: bool) -> Result<Self, serde_json::Error>;
    /// The value of an absent field: an error, but `None` for an `Option`.
    fn missing(name: &'static str) -> Result<Self, Problem> {
        Err(Problem::Missing(name))
    }
    /// Whether an absent field takes its default also in input given as an array (serde's field
    /// `default`, which codegen gave optional decimals and lenient integers and booleans).
    fn defaulted(_lenient: bool) -> bool {
        false
    }
    /// [`defaulted`](Self::defaulted) of an `Option` of this type.
    fn option_defaulted(_lenient: bool) -> bool {
        false
    }
    /// The JSON value; `None` leaves the field out (an absent `Option`).
    fn to_json(&self) -> Option<Value>;
}

/// Why a field could not be read.
#[derive(Debug)]
pub enum Problem {
    /// A required field is absent.
    Missing(&'static str),
    /// Its value does not convert (serde's message).
    Invalid(serde_json::Error),
    /// Input given as an array ends before field `.0`, which has no default.
    Short(usize),
}

impl Problem {
    fn into_error<E: de::Error>(self, name: &str, n: usize) -> E {
        match self {
            Problem::Missing(field) => E::missing_field(field),
            Problem::Invalid(e) => E::custom(e),
            Problem::Short(i) => {
                let s = if n == 1 { "" } else { "s" };
                E::invalid_length(i, &format!("struct {name} with {n} element{s}").as_str())
            }
        }
    }
}

/// The fields of a struct being read: each present field's JSON value by declaration index.
pub struct Slots {
    names: &'static [&'static str],
    values: Vec<Option<Value>>,
    /// Declaration indices of the present fields, in input order.
    order: Vec<usize>,
    next: usize,
    lenient: bool,
    /// Read from an array (an absent field is an error unless it has a default).
    seq: bool,
    /// Every absent field takes its default (builders).
    default_all: bool,
    /// While probing: each field's conversion error, by declaration index.
    errors: Vec<Option<serde_json::Error>>,
    /// While probing: fields already known to convert (read before the failure).
    done: usize,
}

impl Slots {
    fn new<T: Record>() -> Self {
        let n = T::FIELDS.len();
        Slots {
            names: T::FIELDS,
            values: (0..n).map(|_| None).collect(),
            order: Vec::with_capacity(n),
            next: 0,
            lenient: T::LENIENT,
            seq: false,
            default_all: T::DEFAULT,
            errors: Vec::new(),
            done: 0,
        }
    }

    /// The next field (declaration order): its value converted, or its absence.
    pub fn take<F: Field>(&mut self) -> Result<F, Problem> {
        let i = self.next;
        self.next += 1;
        match self.values[i].take() {
            Some(v) => F::from_json(v, self.lenient).map_err(Problem::Invalid),
            None if self.seq && !self.default_all && !F::defaulted(self.lenient) => Err(Problem::Short(i)),
            None => F::missing(self.names[i]),
        }
    }

    /// The next field's conversion, recorded (`_field` names its type: `|s: &Self| &s.field`).
    pub fn probe<S, F: Field>(&mut self, _field: fn(&S) -> &F) {
        let i = self.next;
        self.next += 1;
        if i < self.done {
            return;
        }
        if let Some(v) = self.values[i].take() {
            self.errors[i] = F::from_json(v, self.lenient).err();
        }
    }
}

/// The fields of a struct being written: (declaration index, JSON value) of each present one.
#[derive(Default)]
pub struct Out {
    fields: Vec<(usize, Value)>,
    next: usize,
}

impl Out {
    /// The next field's value (declaration order); an absent `Option` is left out.
    pub fn put<F: Field>(&mut self, v: &F) {
        let i = self.next;
        self.next += 1;
        if let Some(j) = v.to_json() {
            self.fields.push((i, j));
        }
    }
}

fn written<T: Emit>(v: &T) -> Vec<(usize, Value)> {
    let mut out = Out { fields: Vec::with_capacity(T::FIELDS.len()), next: 0 };
    v.write(&mut out);
    out.fields
}

/// `Serialize` of a generated struct: a struct of its present fields, by wire name.
pub fn ser<T: Emit, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    let fields = written(v);
    let mut st = s.serialize_struct(T::NAME, fields.len())?;
    for (i, value) in &fields {
        st.serialize_field(T::FIELDS[*i], value)?;
    }
    st.end()
}

/// [`Field::to_json`] of a generated struct: the object of its present fields.
pub fn to_object<T: Emit>(v: &T) -> Value {
    Value::Object(written(v).into_iter().map(|(i, value)| (T::FIELDS[i].to_string(), value)).collect::<Map<_, _>>())
}

/// `Deserialize` of a generated struct (a JSON object, or an array of its fields in order).
pub fn de<'de, T: Record, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_struct(T::NAME, T::FIELDS, RecordVisitor::<T>(PhantomData))
}

/// [`Field::from_json`] of a generated struct.
pub fn from_value<T: Record>(v: Value) -> Result<T, serde_json::Error> {
    de(v)
}

struct RecordVisitor<T>(PhantomData<T>);

impl<'de, T: Record> Visitor<'de> for RecordVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut slots = Slots::new::<T>();
        let mut stop = None;
        loop {
            let key = match map.next_key_seed(Key::<T>(PhantomData)) {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(e) => {
                    stop = Some(e);
                    break;
                }
            };
            let read = match key {
                None => map.next_value::<IgnoredAny>().map(|_| ()),
                Some(i) if slots.values[i].is_some() => Err(de::Error::duplicate_field(T::FIELDS[i])),
                Some(i) => map.next_value::<Value>().map(|v| {
                    slots.values[i] = Some(v);
                    slots.order.push(i);
                }),
            };
            if let Err(e) = read {
                stop = Some(e);
                break;
            }
        }
        finish(slots, stop)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut slots = Slots::new::<T>();
        slots.seq = true;
        let mut stop = None;
        for i in 0..T::FIELDS.len() {
            match seq.next_element::<Value>() {
                Ok(Some(v)) => {
                    slots.values[i] = Some(v);
                    slots.order.push(i);
                }
                // The fields left take their defaults, or the first without one is the error.
                Ok(None) => break,
                Err(e) => {
                    stop = Some(e);
                    break;
                }
            }
        }
        finish(slots, stop)
    }
}

/// The struct from the fields read, or the error serde's derive reports first: the first entry (in
/// input order) whose value does not convert, else `stop` (where reading stopped: an unknown or
/// duplicate field, unreadable input), else the first missing field (declaration order).
fn finish<T: Record, E: de::Error>(mut slots: Slots, stop: Option<E>) -> Result<T, E> {
    let failed = match stop {
        None => {
            match T::read(&mut slots) {
                Ok(v) => return Ok(v),
                // Fields before the failing one converted; the others are probed below.
                Err(p) => Some((slots.next - 1, p)),
            }
        }
        Some(_) => None,
    };
    slots.errors = (0..T::FIELDS.len()).map(|_| None).collect();
    slots.next = 0;
    if let Some((i, _)) = &failed {
        slots.done = *i + 1;
    }
    T::probe(&mut slots);
    let mut missing = None;
    if let Some((i, p)) = failed {
        match p {
            Problem::Invalid(e) => slots.errors[i] = Some(e),
            p => missing = Some(p),
        }
    }
    for i in &slots.order {
        if let Some(e) = slots.errors[*i].take() {
            return Err(E::custom(e));
        }
    }
    match (stop, missing) {
        (Some(e), _) => Err(e),
        (None, Some(p)) => Err(p.into_error(T::NAME, T::FIELDS.len())),
        // Not reached: `read` failed, so some field had a problem.
        (None, None) => Err(E::custom(format!("struct {} could not be read", T::NAME))),
    }
}

/// A field name of `T`: its declaration index, `None` for an unknown field that is ignored.
struct Key<T>(PhantomData<T>);

impl<'de, T: Record> DeserializeSeed<'de> for Key<T> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, T: Record> Visitor<'de> for Key<T> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, i: u64) -> Result<Option<usize>, E> {
        let n = T::FIELDS.len();
        match usize::try_from(i) {
            Ok(i) if i < n => Ok(Some(i)),
            _ if T::STRICT => {
                let expected = format!("field index 0 <= i < {n}");
                Err(E::invalid_value(de::Unexpected::Unsigned(i), &expected.as_str()))
            }
            _ => Ok(None),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<usize>, E> {
        match T::FIELDS.iter().position(|f| *f == s) {
            Some(i) => Ok(Some(i)),
            None if T::STRICT => Err(E::unknown_field(s, T::FIELDS)),
            None => Ok(None),
        }
    }

    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Option<usize>, E> {
        match T::FIELDS.iter().position(|f| f.as_bytes() == b) {
            Some(i) => Ok(Some(i)),
            None if T::STRICT => Err(E::unknown_field(&String::from_utf8_lossy(b), T::FIELDS)),
            None => Ok(None),
        }
    }
}

impl Field for String {
    fn from_json(v: Value, _: bool) -> Result<Self, serde_json::Error> {
        String::deserialize(v)
    }
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl Field for i64 {
    fn from_json(v: Value, lenient: bool) -> Result<Self, serde_json::Error> {
        if lenient {
            crate::scalar::lenient::i64(v)
        } else {
            i64::deserialize(v)
        }
    }
    fn option_defaulted(lenient: bool) -> bool {
        lenient
    }
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl Field for bool {
    fn from_json(v: Value, lenient: bool) -> Result<Self, serde_json::Error> {
        if lenient {
            crate::scalar::lenient::bool(v)
        } else {
            bool::deserialize(v)
        }
    }
    fn option_defaulted(lenient: bool) -> bool {
        lenient
    }
    fn to_json(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl Field for rust_decimal::Decimal {
    fn from_json(v: Value, _: bool) -> Result<Self, serde_json::Error> {
        crate::support::exact_decimal::deserialize(v)
    }
    fn option_defaulted(_: bool) -> bool {
        true
    }
    fn to_json(&self) -> Option<Value> {
        Some(crate::support::decimal_json(self))
    }
}

impl Field for crate::Scalar {
    fn from_json(v: Value, _: bool) -> Result<Self, serde_json::Error> {
        crate::Scalar::deserialize(v)
    }
    fn to_json(&self) -> Option<Value> {
        Some(crate::support::json(self))
    }
}

impl<F: Field> Field for Option<F> {
    fn from_json(v: Value, lenient: bool) -> Result<Self, serde_json::Error> {
        match v {
            Value::Null => Ok(None),
            v => F::from_json(v, lenient).map(Some),
        }
    }
    fn missing(_: &'static str) -> Result<Self, Problem> {
        Ok(None)
    }
    fn defaulted(lenient: bool) -> bool {
        F::option_defaulted(lenient)
    }
    fn to_json(&self) -> Option<Value> {
        self.as_ref().and_then(F::to_json)
    }
}

/// Implements [`Record`], [`Emit`], [`Field`], `Serialize` and `Deserialize` for a generated
/// struct from its field list, in declaration order: `field` when the wire name is the field's
/// name, `field = "wireName"` otherwise. Flags before the list: `strict` (unknown fields refused),
/// `lenient` (integers and booleans also read from their text). `builder Name` after the list:
/// the request's builder (same field names, every field an `Option`) reads the request's wire
/// names too, unknown fields refused (`Record` and `Deserialize` only).
#[doc(hidden)]
#[macro_export]
macro_rules! __record {
    ($name:ident $($flag:ident)* { $($f:ident $(= $w:literal)?),* $(,)? } builder $b:ident) => {
        $crate::__record!($name $($flag)* { $($f $(= $w)?),* });
        $crate::__record!(@builder $b for $name { $($f)* });
    };
    (@builder $name:ident for $req:ident { $($f:ident)* }) => {
        impl $crate::glue::Record for $name {
            const NAME: &'static str = ::core::stringify!($name);
            const FIELDS: &'static [&'static str] = <$req as $crate::glue::Record>::FIELDS;
            const STRICT: bool = true;
            const DEFAULT: bool = true;
            $crate::__record!(@read $($f)*);
        }
        $crate::__record!(@de $name);
    };
    ($name:ident $($flag:ident)* { $($f:ident $(= $w:literal)?),* $(,)? }) => {
        $($crate::__record!(@flag $flag);)*
        impl $crate::glue::Record for $name {
            const NAME: &'static str = ::core::stringify!($name);
            const FIELDS: &'static [&'static str] = &[$($crate::__record!(@wire $f $($w)?)),*];
            const STRICT: bool = $crate::__record!(@has strict $($flag)*);
            const LENIENT: bool = $crate::__record!(@has lenient $($flag)*);
            $crate::__record!(@read $($f)*);
        }
        impl $crate::glue::Emit for $name {
            fn write(&self, out: &mut $crate::glue::Out) {
                $(out.put(&self.$f);)*
            }
        }
        impl $crate::glue::Field for $name {
            fn from_json(v: $crate::serde_json::Value, _: bool) -> ::core::result::Result<Self, $crate::serde_json::Error> {
                $crate::glue::from_value(v)
            }
            fn to_json(&self) -> ::core::option::Option<$crate::serde_json::Value> {
                ::core::option::Option::Some($crate::glue::to_object(self))
            }
        }
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::glue::ser(self, s)
            }
        }
        $crate::__record!(@de $name);
    };
    (@read $($f:ident)*) => {
        fn read(s: &mut $crate::glue::Slots) -> ::core::result::Result<Self, $crate::glue::Problem> {
            ::core::result::Result::Ok(Self { $($f: s.take()?,)* })
        }
        fn probe(s: &mut $crate::glue::Slots) {
            $(s.probe(|v: &Self| &v.$f);)*
        }
    };
    (@de $name:ident) => {
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::glue::de(d)
            }
        }
    };
    (@wire $f:ident) => { ::core::stringify!($f) };
    (@wire $f:ident $w:literal) => { $w };
    (@flag strict) => {};
    (@flag lenient) => {};
    (@flag $other:ident) => { ::core::compile_error!(::core::concat!("record!: unknown flag `", ::core::stringify!($other), "`")); };
    (@has $want:ident) => { false };
    (@has strict strict $($rest:ident)*) => { true };
    (@has lenient lenient $($rest:ident)*) => { true };
    (@has $want:ident $other:ident $($rest:ident)*) => { $crate::__record!(@has $want $($rest)*) };
}
pub use crate::__record as record;
