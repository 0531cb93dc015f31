//! A component that imports a capability Switchboard does not offer (a
//! network socket). Switchboard must refuse it at upload: flows get only the
//! tenant-scoped capabilities of `wit/flow.wit`.

wit_bindgen::generate!({
    inline: "package test:stranger;
        interface net { connect: func(host: string) -> bool; }
        world stranger { import net; export probe: func() -> bool; }",
    world: "stranger",
});

struct Stranger;

impl Guest for Stranger {
    fn probe() -> bool {
        test::stranger::net::connect("example.com:443")
    }
}

export!(Stranger);
