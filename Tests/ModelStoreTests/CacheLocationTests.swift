import Foundation
import ModelStore
import Testing

/// Where the cache lives, and how explicit paths and cached files are resolved.
@Suite struct CacheLocationTests {
    @Test func ternCacheWinsOverEverything() {
        let environment = ["TERN_CACHE": "/models/tern", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/someone"]
        #expect(ModelStore.defaultCacheDirectory(environment: environment) == "/models/tern")
    }

    @Test func xdgCacheHomeComesNext() {
        let environment = ["XDG_CACHE_HOME": "/xdg", "HOME": "/home/someone"]
        #expect(ModelStore.defaultCacheDirectory(environment: environment) == "/xdg/tern")
        let emptyTern = ["TERN_CACHE": "", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/someone"]
        #expect(ModelStore.defaultCacheDirectory(environment: emptyTern) == "/xdg/tern")
    }

    @Test func homeCacheIsTheFallback() {
        #expect(ModelStore.defaultCacheDirectory(environment: ["HOME": "/home/someone"]) == "/home/someone/.cache/tern")
        let emptyOthers = ["TERN_CACHE": "", "XDG_CACHE_HOME": "", "HOME": "/home/someone"]
        #expect(ModelStore.defaultCacheDirectory(environment: emptyOthers) == "/home/someone/.cache/tern")
    }

    @Test func storeUsesTheEnvironmentGiven() {
        let store = ModelStore(environment: ["XDG_CACHE_HOME": "/xdg"])
        #expect(store.cacheDirectory == "/xdg/tern")
        #expect(store.cachedModelPath == "/xdg/tern/" + ModelSource.smolLM2.fileName)
        let explicit = ModelStore(cacheDirectory: "/somewhere", environment: ["TERN_CACHE": "/ignored"])
        #expect(explicit.cacheDirectory == "/somewhere")
    }

    @Test func missingExplicitPathIsModelNotFound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path + "/missing.gguf"
        var store = ModelStore(cacheDirectory: directory.path + "/cache")
        store.python = "tern-test-no-such-python"
        #expect(throws: ModelStoreError.modelNotFound(missing)) { try store.resolve(missing) }
        #expect(ModelStoreError.modelNotFound(missing).description.contains(missing))
    }

    @Test func existingExplicitPathIsReturned() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/mine.gguf"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        var store = ModelStore(cacheDirectory: directory.path + "/cache")
        store.python = "tern-test-no-such-python"
        #expect(try store.resolve(path) == path)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/cache"))
    }

    /// A cached default model is returned as is: python (here a program that does not exist)
    /// is never started, and the file is not re-verified.
    @Test func cachedDefaultModelIsReturnedWithoutFetching() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = ModelSource.smolLM2
        try Data("cached".utf8).write(to: URL(fileURLWithPath: directory.path + "/" + source.fileName))
        var store = ModelStore(cacheDirectory: directory.path, source: source)
        store.python = "tern-test-no-such-python"
        var messages: [String] = []
        #expect(try store.ensureDefaultModel { messages.append($0) } == directory.path + "/" + source.fileName)
        #expect(try store.resolve(nil) == directory.path + "/" + source.fileName)
        #expect(messages.isEmpty)
    }
}
