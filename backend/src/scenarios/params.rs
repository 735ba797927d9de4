//! Typed parameters: a scenario's knobs are a struct, and its descriptor is derived from it.
//!
//! [`params!`](crate::params) declares the struct and, from the same lines, each knob's
//! name (the field's), label (the field's doc comment), default, bounds and unit. The
//! scenario reads `params.clients`, not a string lookup, so a parameter that is missing
//! or misspelled cannot compile. The session validates a request against the derived
//! [`ParamSpec`]s before [`Params::from_values`] builds the struct.
//!
//! Uses only `shared`'s parameter types.

use pollscope_shared::scenario::{ParamSpec, ParamValues};
use pollscope_shared::{ErrorCode, ProtocolError};

/// A scenario's parameters as one typed value.
pub trait Params: Sized + Send + 'static {
    /// One spec per field, in declaration order.
    fn specs() -> Vec<ParamSpec>;

    /// Build the struct from values already validated against [`Params::specs`].
    fn from_values(values: &ParamValues) -> Result<Self, ProtocolError>;
}

/// Read one validated value as the field's type (a bug if it does not fit: bounds are
/// checked against the type by the catalog's test).
pub fn field<T: TryFrom<i64>>(values: &ParamValues, name: &str) -> Result<T, ProtocolError> {
    let value = values.get(name).copied().ok_or_else(|| {
        ProtocolError::new(
            ErrorCode::MissingParameter,
            format!("missing parameter `{name}`"),
        )
    })?;
    T::try_from(value).map_err(|_| {
        ProtocolError::new(
            ErrorCode::ParameterOutOfRange,
            format!("parameter `{name}` = {value} does not fit its type"),
        )
    })
}

/// A bound or default as the wire's `i64` (the parameter types are all narrower).
pub fn bound<T: TryInto<i64>>(value: T) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

/// The optional unit of a parameter; none is the empty string.
pub fn unit(unit: &[&'static str]) -> &'static str {
    unit.first().copied().unwrap_or("")
}

/// Declare a parameter struct:
///
/// ```
/// pollscope_backend::params! {
///     /// The knobs of a demo.
///     pub struct DemoParams {
///         /// Server delay
///         delay_ms: u64 [default 300, min 10, max 3000, unit "ms"],
///         /// Clients
///         clients: u32 [default 8, min 1, max 64],
///     }
/// }
/// # use pollscope_backend::scenarios::Params;
/// let specs = DemoParams::specs();
/// assert_eq!((specs[0].name.as_str(), specs[0].label.as_str()), ("delay_ms", "Server delay"));
/// assert_eq!(DemoParams::default().clients, 8);
/// ```
#[macro_export]
macro_rules! params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                #[doc = $label:literal]
                $field:ident : $ty:ty [default $default:tt, min $min:tt, max $max:tt $(, unit $unit:literal)? $(, choices [$($choice:literal),+ $(,)?])?]
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis struct $name {
            $(#[doc = $label] pub $field: $ty,)*
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        impl $crate::scenarios::Params for $name {
            fn specs() -> ::std::vec::Vec<::pollscope_shared::scenario::ParamSpec> {
                ::std::vec![$(
                    ::pollscope_shared::scenario::ParamSpec::integer(
                        stringify!($field),
                        $label.trim(),
                        $crate::scenarios::params::unit(&[$($unit)?]),
                        $crate::scenarios::params::bound($default),
                        $crate::scenarios::params::bound($min),
                        $crate::scenarios::params::bound($max),
                    )$(.with_choices(&[$($choice),+]))?,
                )*]
            }

            fn from_values(
                values: &::pollscope_shared::scenario::ParamValues,
            ) -> ::core::result::Result<Self, ::pollscope_shared::ProtocolError> {
                Ok(Self {
                    $($field: $crate::scenarios::params::field(values, stringify!($field))?,)*
                })
            }
        }
    };
}
