/// Layout of pcapng files (draft-ietf-opsawg-pcapng): block types, fixed parts, option codes.
enum PcapngFormat {
    /// Block type of a Section Header Block; a palindrome, so it reads the same in both byte orders.
    static let sectionHeaderBlock: UInt32 = 0x0A0D_0D0A
    static let interfaceDescriptionBlock: UInt32 = 1
    /// Obsolete Packet Block, still written by old tools.
    static let packetBlock: UInt32 = 2
    static let simplePacketBlock: UInt32 = 3
    static let enhancedPacketBlock: UInt32 = 6

    /// Byte-order magic of a Section Header Block, read little-endian.
    static let byteOrderMagicLittleEndian: UInt32 = 0x1A2B_3C4D
    static let byteOrderMagicBigEndian: UInt32 = 0x4D3C_2B1A
    static let supportedMajorVersion: UInt16 = 1

    /// Block type + block total length.
    static let blockHeaderLength = 8
    /// Header, then the trailing copy of the total length.
    static let minimumBlockLength = 12
    /// Header + byte-order magic: what is needed to know a section's byte order.
    static let sectionHeaderPrefixLength = 12

    /// Minimum total lengths of each block with its fixed fields.
    static let minimumSectionHeaderLength = 28
    static let minimumInterfaceDescriptionLength = 20
    static let minimumEnhancedPacketLength = 32
    static let minimumPacketLength = 32
    static let minimumSimplePacketLength = 16

    /// Packet data offset in an EPB or a Packet Block, and in an SPB.
    static let packetDataOffset = 28
    static let simplePacketDataOffset = 12
    /// Options of an IDB start after linktype, reserved and snaplen.
    static let interfaceOptionsOffset = 16

    static let optionEnd: UInt16 = 0
    static let optionTimestampResolution: UInt16 = 9
    static let optionTimestampOffset: UInt16 = 14
    /// if_tsresol when the option is absent: microseconds.
    static let defaultTimestampResolution: UInt8 = 6
}
