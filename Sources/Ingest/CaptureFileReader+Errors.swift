#if canImport(Glibc)
import Glibc
#endif

// Error construction; only on failure paths, so string building here costs nothing per packet.
extension CaptureFileReader {
    /// A `CaptureFileError` for this file.
    func corrupt(at offset: UInt64, _ reason: String) -> CaptureFileError {
        CaptureFileError(path: path, offset: offset, reason: reason)
    }

    /// "No such file or directory (errno 2)".
    static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// "0x0a0d0d0a".
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
