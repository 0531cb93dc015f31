//! A component of another world: it exports `greet` instead of the flow
//! handler. Switchboard must refuse it at upload with a message saying so.

wit_bindgen::generate!({
    inline: "package test:impostor; world impostor { export greet: func() -> string; }",
    world: "impostor",
});

struct Impostor;

impl Guest for Impostor {
    fn greet() -> String {
        "I am not a flow".into()
    }
}

export!(Impostor);
