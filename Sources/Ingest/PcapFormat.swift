/// Layout of classic pcap files (draft-ietf-opsawg-pcap).
enum PcapFormat {
    /// Magic numbers as the first four bytes read big-endian.
    static let microsecondBigEndian: UInt32 = 0xA1B2_C3D4
    static let microsecondLittleEndian: UInt32 = 0xD4C3_B2A1
    static let nanosecondBigEndian: UInt32 = 0xA1B2_3C4D
    static let nanosecondLittleEndian: UInt32 = 0x4D3C_B2A1

    /// magic, version major/minor, thiszone, sigfigs, snaplen, linktype.
    static let fileHeaderLength = 24
    /// ts_sec, ts_frac, incl_len, orig_len.
    static let recordHeaderLength = 16
    /// Only major version 2 exists in the wild; libpcap rejects others.
    static let supportedMajorVersion: UInt16 = 2
    /// The link type is the low 26 bits of the field; the upper bits carry FCS information.
    static let linkTypeMask: UInt32 = 0x03FF_FFFF
}
