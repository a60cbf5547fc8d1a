/// HTTP/1.1 request and response heads (RFC 9112).
enum HTTPMessage {
    static let userAgents = [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
    ]
    static let paths = ["/", "/index.html", "/api/v1/items?page=2", "/static/app.js", "/images/logo.png",
                        "/login", "/search?q=capture", "/favicon.ico", "/downloads/release.tar.gz"]

    static func request(method: String, path: String, host: String, userAgent: String, bodyLength: Int) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\n"
        head += "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        if method == "POST" {
            head += "Content-Type: application/json\r\nContent-Length: \(bodyLength)\r\n"
        }
        head += "\r\n"
        var out = Array(head.utf8)
        if method == "POST" {
            let json = "{\"id\":12345,\"query\":\"tapline\",\"items\":[1,2,3]}"
            var body = Array(json.utf8)
            while body.count < bodyLength { body.append(0x20) }
            out.append(contentsOf: body.prefix(bodyLength))
        }
        return out
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 304: return "Not Modified"
        case 404: return "Not Found"
        default: return "Status"
        }
    }

    static func responseHead(status: Int, contentType: String, contentLength: Int) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason(status))\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
        head += "Server: nginx/1.24.0\r\nContent-Type: \(contentType)\r\nContent-Length: \(contentLength)\r\n"
        head += "Connection: keep-alive\r\n\r\n"
        return Array(head.utf8)
    }
}
