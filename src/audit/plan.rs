//! `terraform show -json` → [`super::model::Wiring`].
