/// A BER tag-length-value with the short or long length form, for building test messages.
func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
    let n = content.count
    if n < 0x80 { return [tag, UInt8(n)] + content }
    if n < 0x100 { return [tag, 0x81, UInt8(n)] + content }
    return [tag, 0x82, UInt8(n >> 8), UInt8(n & 0xFF)] + content
}
