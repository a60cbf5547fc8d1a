/// A capture file that could not be read: which file, at which byte offset, and what was wrong.
public struct CaptureFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// Byte offset in the file of the record or header that was wrong.
    public var offset: UInt64
    public var reason: String

    public init(path: String, offset: UInt64, reason: String) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(path): at byte \(offset): \(reason)" }
}
