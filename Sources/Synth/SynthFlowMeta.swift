/// Application metadata of one flow in the manifest; absent keys are omitted from the JSON.
public struct SynthFlowMeta: Codable, Sendable, Equatable {
    public var dns_qname: String?
    public var dns_qtype: Int?
    public var dns_rcode: Int?
    public var dns_answers: Int?
    public var tls_sni: String?
    public var tls_alpn: String?
    public var tls_version: String?
    public var http_host: String?
    public var http_method: String?
    public var http_user_agent: String?
    public var http_status: Int?
    public var quic_sni: String?
    public var quic_alpn: String?
    public var quic_version: Int?
    public var ssh_client: String?
    public var ssh_server: String?

    public init() {}
}
