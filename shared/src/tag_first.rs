//! Decoding a tagged message in one pass, when its tag is the object's first key.
//!
//! The wire's enums are *internally tagged*: `{"type": "run_started", "run_id": 1, …}`.
//! serde's derived decoder for such an enum cannot know the variant before it has seen the
//! tag, and JSON lets the tag come anywhere, so it first copies the whole object into a
//! buffer of its own (serde's private `Content` tree) and then decodes the variant from the
//! copy. In the browser that detour is code, not just time: every field type gets a second
//! decoder, for the buffer.
//!
//! Every message our side writes has its tag first (serde's encoder for an internally
//! tagged enum writes it first). So a reader that only ever reads what pollscope wrote — the
//! page reading its server, a kept-run file reading back — can read the tag, pick the
//! variant, and hand the rest of the object straight to that variant's derived decoder:
//! [`from_str`] here. An object whose tag is not first gets a clear error, not a guess.
//! The derived decoders stay the canonical ones for everyone else (the server, tests,
//! tools, hand-written JSON in any key order).
//!
//! A type opts in with [`TagFirst`]; [`Tagged`] decodes a field of such a type the same
//! way inside another message. Uses only serde.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

/// An internally tagged enum that can be decoded with its tag read first.
pub trait TagFirst: Sized {
    /// The tag's key, as in `#[serde(tag = "…")]`.
    const TAG: &'static str;
    /// The tag values it knows, for the error on any other.
    const VARIANTS: &'static [&'static str];

    /// Decodes the variant named `tag` from the rest of the object; any other tag is an
    /// `unknown_variant` error naming [`Self::VARIANTS`].
    fn rest<'de, A: MapAccess<'de>>(tag: &str, rest: A) -> Result<Self, A::Error>;
}

/// The rest of an object, as a `Deserializer` a derived struct decoder can read.
pub fn fields<'de, T: Deserialize<'de>, A: MapAccess<'de>>(rest: A) -> Result<T, A::Error> {
    T::deserialize(MapAccessDeserializer::new(rest))
}

/// `T` read tag-first: use it as a field's type inside another message's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged<T>(pub T);

impl<'de, T: TagFirst> Deserialize<'de> for Tagged<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TagVisitor(PhantomData))
    }
}

struct TagVisitor<T>(PhantomData<T>);

impl<'de, T: TagFirst> Visitor<'de> for TagVisitor<T> {
    type Value = Tagged<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object whose first key is `{}`", T::TAG)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == T::TAG => {}
            Some(key) => {
                return Err(de::Error::custom(format_args!(
                    "the `{}` tag must be the object's first key, not `{key}`",
                    T::TAG
                )));
            }
            None => return Err(de::Error::missing_field(T::TAG)),
        }
        let tag: String = map.next_value()?;
        T::rest(&tag, map).map(Tagged)
    }
}

/// Decodes a `T` from JSON text whose tags all come first (see the module docs).
pub fn from_str<T: TagFirst>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str::<Tagged<T>>(text).map(|tagged| tagged.0)
}
