// The migrations are embedded by `sqlx::migrate!`; without this a new migration file would not
// trigger a rebuild and would be silently left out of the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
