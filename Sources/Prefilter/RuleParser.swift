import PacketCore
import Glibc

/// A mistake in a rule, with where it is (1-based line and column).
public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }
}

/// Parses the rule language of docs/RULES.md. Every error is reported; a rule set is produced
/// only when there are none.
public enum RuleParser {
    /// Parses a whole rule file. `firstLine` numbers the lines (command-line rules count from 1).
    public static func parse(_ text: String) -> Result<RuleSet, RuleErrors> {
        parse(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    /// Parses rules given one per element (the command line's `--rule`), numbered from 1.
    public static func parse(lines: [String]) -> Result<RuleSet, RuleErrors> {
        var set = RuleSet()
        var errors: [RuleError] = []
        var defaultLine: Int?
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            let tokens = tokenize(raw)
            if tokens.isEmpty { continue }
            if tokens[0].text == "default" {
                if let previous = defaultLine {
                    errors.append(RuleError(line: lineNumber, column: tokens[0].column,
                                            message: "a second default action (the first is on line \(previous))"))
                }
                defaultLine = lineNumber
                var i = 1
                if let action = parseAction(tokens, &i, lineNumber, &errors) {
                    set.defaultAction = action
                }
                if i < tokens.count {
                    errors.append(RuleError(line: lineNumber, column: tokens[i].column,
                                            message: "unexpected '\(tokens[i].text)' after the default action"))
                }
                continue
            }
            if let rule = parseRule(tokens, lineNumber, &errors) {
                if set.rules.count == RuleSet.maxRules {
                    errors.append(RuleError(line: lineNumber, column: tokens[0].column,
                                            message: "more than \(RuleSet.maxRules) rules"))
                } else {
                    set.rules.append(rule)
                }
            }
        }
        return errors.isEmpty ? .success(set) : .failure(RuleErrors(errors: errors))
    }

    struct Token {
        var text: String
        var column: Int
    }

    /// Splits at blanks and drops a `#` comment; columns are 1-based character positions.
    static func tokenize(_ line: String) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        var column = 0
        for ch in line {
            column += 1
            if ch == "#" { break }
            if ch == " " || ch == "\t" || ch == "\r" {
                if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
                current = ""
            } else {
                if current.isEmpty { start = column }
                current.append(ch)
            }
        }
        if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
        return tokens
    }

    static func parseAction(_ t: [Token], _ i: inout Int, _ line: Int, _ errors: inout [RuleError]) -> RuleAction? {
        guard i < t.count else {
            let column = t.last.map { $0.column + $0.text.count + 1 } ?? 1
            errors.append(RuleError(line: line, column: column, message: "missing action (drop, pass, capture or sample N)"))
            return nil
        }
        let word = t[i]
        i += 1
        switch word.text {
        case "drop": return .drop
        case "pass": return .pass
        case "capture": return .capture
        case "sample":
            guard i < t.count else {
                errors.append(RuleError(line: line, column: word.column + word.text.count + 1,
                                        message: "sample needs N (keep 1 flow in N)"))
                return nil
            }
            let n = t[i]
            i += 1
            guard let value = UInt32(n.text), value >= 1 else {
                errors.append(RuleError(line: line, column: n.column,
                                        message: "sample N: '\(n.text)' is not a whole number from 1 to 4294967295"))
                return nil
            }
            return .sample(value)
        default:
            errors.append(RuleError(line: line, column: word.column,
                                    message: "unknown action '\(word.text)' (drop, pass, capture or sample N)"))
            return nil
        }
    }

    static func parseRule(_ t: [Token], _ line: Int, _ errors: inout [RuleError]) -> Rule? {
        let before = errors.count
        var i = 0
        let action = parseAction(t, &i, line, &errors)
        var rule = Rule(action: action ?? .pass, line: line)
        var seen: [String: Int] = [:]
        var protoColumn = 0
        var portColumn = 0
        if action == nil { return nil } // the rest cannot be read reliably after a bad action
        while i < t.count {
            let field = t[i]
            i += 1
            guard ["src", "dst", "proto", "sport", "dport", "vlan"].contains(field.text) else {
                errors.append(RuleError(line: line, column: field.column,
                                        message: "unknown field '\(field.text)' (src, dst, proto, sport, dport, vlan)"))
                i += 1 // every field takes one value: skip it rather than report it too
                continue
            }
            if let first = seen[field.text] {
                errors.append(RuleError(line: line, column: field.column,
                                        message: "'\(field.text)' given twice (first at column \(first))"))
            }
            seen[field.text] = field.column
            guard i < t.count else {
                errors.append(RuleError(line: line, column: field.column + field.text.count + 1,
                                        message: "'\(field.text)' needs a value"))
                break
            }
            let value = t[i]
            i += 1
            func fail(_ message: String) {
                errors.append(RuleError(line: line, column: value.column, message: message))
            }
            switch field.text {
            case "src", "dst":
                switch parseCIDR(value.text) {
                case .success(let cidr):
                    if field.text == "src" { rule.source = cidr } else { rule.destination = cidr }
                case .failure(let error): fail(error.message)
                }
            case "proto":
                if let p = parseProto(value.text) {
                    rule.proto = p
                    protoColumn = value.column
                } else {
                    fail("unknown protocol '\(value.text)' (tcp, udp, icmp, icmpv6 or 0-255)")
                }
            case "sport", "dport":
                if let range = parsePorts(value.text) {
                    if field.text == "sport" { rule.sourcePort = range } else { rule.destinationPort = range }
                    if portColumn == 0 { portColumn = field.column }
                } else {
                    fail("bad port '\(value.text)' (a port 0-65535 or a range LOW-HIGH with LOW <= HIGH)")
                }
            default: // vlan
                if let v = UInt16(value.text), v <= 4095 {
                    rule.vlan = v
                } else {
                    fail("bad VLAN ID '\(value.text)' (0-4095)")
                }
            }
        }
        if let s = rule.source, let d = rule.destination, s.isIPv6 != d.isIPv6 {
            errors.append(RuleError(line: line, column: seen["dst"] ?? 1,
                                    message: "src is IPv\(s.isIPv6 ? 6 : 4) but dst is IPv\(d.isIPv6 ? 6 : 4): no packet can match"))
        }
        if let p = rule.proto, p != 6, p != 17, portColumn != 0 {
            errors.append(RuleError(line: line, column: protoColumn,
                                    message: "ports need proto tcp or udp (the prefilter reads no other ports)"))
        }
        return errors.count == before ? rule : nil
    }

    static func parseProto(_ s: String) -> UInt8? {
        switch s.lowercased() {
        case "tcp": 6
        case "udp": 17
        case "icmp": 1
        case "icmpv6", "ipv6-icmp": 58
        case "sctp": 132
        case "gre": 47
        case "esp": 50
        default: UInt8(s)
        }
    }

    static func parsePorts(_ s: String) -> PortRange? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let p = UInt16(parts[0]) { return PortRange(p, p) }
        if parts.count == 2, let a = UInt16(parts[0]), let b = UInt16(parts[1]), a <= b { return PortRange(a, b) }
        return nil
    }

    /// `ADDRESS` (a host) or `ADDRESS/LENGTH`, IPv4 or IPv6; host bits must be zero.
    public static func parseCIDR(_ s: String) -> Result<CIDR, CIDRError> {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = parseAddress(String(parts[0])) else {
            return .failure(CIDRError("bad address '\(s)' (IPv4 like 10.0.0.0/8 or IPv6 like 2001:db8::/32)"))
        }
        let maxLength = address.isIPv6 ? 128 : 32
        var length = maxLength
        if parts.count == 2 {
            guard let l = Int(parts[1]), (0...maxLength).contains(l) else {
                return .failure(CIDRError("bad prefix length '\(parts[1])' (0-\(maxLength))"))
            }
            length = l
        }
        let masked = CIDR.masked(address, to: length)
        if masked != address {
            let c = CIDR(address: masked, length: length)
            return .failure(CIDRError("'\(s)' has host bits set (did you mean \(c)?)"))
        }
        return .success(CIDR(address: address, length: length))
    }

    static func parseAddress(_ s: String) -> IPAddress? {
        if s.contains(":") {
            var a = in6_addr()
            guard inet_pton(AF_INET6, s, &a) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &a) { Array($0) }
            var hi: UInt64 = 0
            var lo: UInt64 = 0
            for i in 0..<8 { hi = hi << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { lo = lo << 8 | UInt64(bytes[i]) }
            return IPAddress(high: hi, low: lo, isIPv6: true)
        }
        var a = in_addr()
        guard inet_pton(AF_INET, s, &a) == 1 else { return nil }
        return IPAddress(ipv4: UInt32(bigEndian: a.s_addr))
    }
}

/// Why a CIDR did not parse.
public struct CIDRError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Every error found in a rule file, in order.
public struct RuleErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [RuleError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
