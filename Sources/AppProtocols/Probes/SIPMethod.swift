/// SIP request methods (RFC 3261 §7.1 and the extensions in common use).
@frozen
public enum SIPMethod: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case none = 0
    case invite, register, options, ack, bye, cancel, subscribe, notify, message, info, prack
    case update, refer, publish

    /// The method's token as it appears on the request line.
    public var token: StaticString {
        switch self {
        case .none: ""
        case .invite: "INVITE"
        case .register: "REGISTER"
        case .options: "OPTIONS"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .subscribe: "SUBSCRIBE"
        case .notify: "NOTIFY"
        case .message: "MESSAGE"
        case .info: "INFO"
        case .prack: "PRACK"
        case .update: "UPDATE"
        case .refer: "REFER"
        case .publish: "PUBLISH"
        }
    }
}
