//! Unit tests of `App::update` and the keymap.
