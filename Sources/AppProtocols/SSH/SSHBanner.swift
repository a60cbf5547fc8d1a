/// SSH identification strings (RFC 4253 §4.2): `SSH-protoversion-softwareversion [comments]`.
public enum SSHBanner {
    /// RFC 4253 §4.2: the identification line is at most 255 bytes including CR LF.
    public static let maxLength = 255

    public static func probe(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        if p.count < 4 { return p.isPrefix(of: "SSH-") ? .needMore : .noMatch }
        return p.starts(with: "SSH-") ? .match : .noMatch
    }

    /// The banner line (without CR LF) at the start of `p`. `.needMore` until its line ends; a line
    /// longer than `maxLength` yields its first `maxLength - 2` bytes and `.done`.
    public static func parse(_ p: UnsafeRawBufferPointer) -> (ParseStatus, Range<Int>) {
        guard p.count >= 4 else { return (p.isPrefix(of: "SSH-") ? .needMore : .invalid, 0..<0) }
        guard p.starts(with: "SSH-") else { return (.invalid, 0..<0) }
        var i = 4
        while i < p.count && i < maxLength {
            let b = p[i]
            if b == 0x0D || b == 0x0A { return (.done, 0..<i) }
            i += 1
        }
        return i >= maxLength ? (.done, 0..<maxLength - 2) : (.needMore, 0..<0)
    }
}
