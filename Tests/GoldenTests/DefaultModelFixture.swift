import Engine
import ModelStore

/// The default model, fetched through the same code path users get (ModelStore), loaded once.
/// A test that cannot get it fails; it never skips.
enum DefaultModelFixture {
    static let bundle: Result<ModelBundle, any Error> = Result {
        let path = try ModelStore().ensureDefaultModel()
        return try ModelBundle(path: path, threads: 2)
    }
}
