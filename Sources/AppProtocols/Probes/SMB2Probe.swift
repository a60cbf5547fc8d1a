import PacketCore

/// SMB over TCP (139/445 or anywhere): a NetBIOS session message (type 0, RFC 1002 §4.3.6) or
/// direct-TCP 4-byte header, then 0xFE 'SMB' (SMB2/3), 0xFD (transform), 0xFC (compressed) or
/// 0xFF 'SMB' (SMB1).
public enum SMB2Probe {
    /// [MS-SMB2] 2.2.1: the SMB2 header is 64 bytes; SMB1's is 32.
    static let smb2HeaderLength = 64
    static let smb1HeaderLength = 32
    /// Direct TCP allows 24-bit lengths ([MS-SMB2] 2.1).
    static let maxLength = 0xFF_FFFF

    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let n = payload.count
        if n >= 1, payload.byte(0) != 0 { return .noMatch }
        if n >= 5 {
            let m = payload.byte(4)
            guard m == 0xFE || m == 0xFF || m == 0xFD || m == 0xFC else { return .noMatch }
        }
        let magic = ProbeScan.prefix(payload, "SMB", at: 5)
        guard magic == .match else { return magic }
        let length = Int(payload.loadBE32(0))
        let minimum = payload.byte(4) == 0xFF ? smb1HeaderLength : smb2HeaderLength
        return length >= minimum && length <= maxLength ? .match : .noMatch
    }
}
