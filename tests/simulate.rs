//! Integration tests for `runaway-guard simulate`.

use runaway_guard::config::Config;
use runaway_guard::simulate;

#[test]
fn explore() {
    let t = std::time::Instant::now();
    let only = std::env::var("SIM_ONLY").ok();
    let horizon: Option<u64> = std::env::var("SIM_HORIZON").ok().and_then(|h| h.parse().ok());
    for name in simulate::scenario_names() {
        if only.as_deref().is_some_and(|o| o != name) { continue; }
        let t1 = std::time::Instant::now();
        let mut s = simulate::scenario(name).unwrap();
        if let Some(h) = horizon { s.horizon_secs = h; }
        let r = simulate::run(&s, 1, &Config::default()).unwrap();
        let mut j = serde_json::to_value(&r).unwrap();
        for (_, p) in j["peers"].as_object_mut().unwrap() { p["trips"] = serde_json::json!(p["trips"].as_array().unwrap().len()); }
        println!("{name} {:?}\n{}", t1.elapsed(), j);
    }
    println!("all {:?}", t.elapsed());
}
