import Dissect
import PacketCore
import Testing

@Suite("Golden frames: every field, and truncation at every offset")
struct GoldenTests {
    @Test("decodes every field", arguments: Golden.all)
    func golden(_ golden: Golden) throws {
        let info = try decode(golden.bytes, golden.link)
        expectFields(info, golden.info, frameCount: golden.bytes.count)
    }

    @Test("truncated at every offset: throws .truncated inside needed headers, else a consistent info",
          arguments: Golden.all)
    func truncation(_ golden: Golden) {
        for cut in 0..<golden.bytes.count {
            let prefix = Array(golden.bytes[0..<cut])
            let result: Result<PacketInfo, ParseError>
            do throws(ParseError) { result = .success(try decode(prefix, golden.link)) } catch { result = .failure(error) }

            switch result {
            case .failure(let error):
                guard case .truncated(let needed, let have) = error else {
                    Issue.record("cut \(cut): \(error), expected .truncated")
                    continue
                }
                #expect(have < needed, "cut \(cut)")
                #expect(cut < golden.outerHeaderEnd, "cut \(cut) past the outer headers threw \(error)")
            case .success(let info):
                // Cut inside the L4 header after its ports: the packet keeps its flow, flagged incomplete.
                #expect(cut >= golden.outerHeaderEnd || info.l4Incomplete, "cut \(cut) inside a needed header decoded")
                if info.l4Incomplete {
                    #expect(info.payloadLength == 0 && info.hasL4, "cut \(cut)")
                    // The innermost flow keeps its ports (an outer UDP header of a tunnel may be the one cut).
                    if info.src == golden.info.src && info.dst == golden.info.dst && info.ipProto == golden.info.ipProto {
                        #expect(info.srcPort == golden.info.srcPort && info.dstPort == golden.info.dstPort, "cut \(cut)")
                    }
                }
                #expect(Int(info.payloadOffset) + Int(info.payloadLength) <= cut, "cut \(cut): payload past the end")
                #expect(Int(info.payloadOffset) <= cut)
                #expect(info.timestampNs == 1_700_000_000_123_456_789)
                if cut >= golden.innerHeaderEnd {
                    // All headers present: the same flow, only the payload is shorter.
                    #expect(info.src == golden.info.src && info.dst == golden.info.dst, "cut \(cut)")
                    #expect(info.srcPort == golden.info.srcPort && info.dstPort == golden.info.dstPort, "cut \(cut)")
                    #expect(info.ipProto == golden.info.ipProto && info.ipLength == golden.info.ipLength, "cut \(cut)")
                    #expect(info.tunnel == golden.info.tunnel, "cut \(cut)")
                    #expect(info.payloadOffset == golden.info.payloadOffset, "cut \(cut)")
                } else if info.l4Incomplete {
                    // Inside an L4 header after its ports: checked above.
                } else if let outerSrc = golden.outerSrc {
                    // Inside the tunnel's inner headers: the outer flow, unmarked.
                    #expect(info.tunnel == .none, "cut \(cut)")
                    #expect(info.src == outerSrc, "cut \(cut)")
                }
            }
        }
    }

    @Test("a reused PacketInfo is fully overwritten, capture fields kept")
    func reuseOverwrites() throws {
        var info = PacketInfo()
        let tcp = Golden.tunnels[6].bytes  // VXLAN: sets vlan, tunnel, ports, flags
        let arp = Build.ethernet(0x0806, Bytes(repeating: 0, count: 28))
        let decoder = PacketDecoder()
        tcp.withUnsafeBytes { raw in
            do throws(ParseError) { try decoder.decode(raw, linkType: .ethernet, into: &info) } catch {
                Issue.record("\(error)")
            }
        }
        #expect(info.tunnel == .vxlan && info.hasL4)
        info.timestampNs = 42
        info.wireLength = 99
        info.capturedLength = 98
        arp.withUnsafeBytes { raw in
            do throws(ParseError) { try decoder.decode(raw, linkType: .ethernet, into: &info) } catch {
                Issue.record("\(error)")
            }
        }
        #expect(info.timestampNs == 42 && info.wireLength == 99 && info.capturedLength == 98)
        #expect(info.ipVersion == 0 && info.src == .none && info.dst == .none && info.ipProto == 0)
        #expect(info.ipLength == 0 && info.srcPort == 0 && info.dstPort == 0 && info.tcpFlags == 0)
        #expect(info.icmpType == 0 && info.icmpCode == 0 && !info.hasL4 && info.vlan == 0 && info.vlanDepth == 0)
        #expect(info.mplsDepth == 0 && info.tunnel == .none && !info.isFragment && info.fragmentOffset == 0)
        #expect(!info.moreFragments && info.fragmentID == 0 && info.payloadOffset == 0 && info.payloadLength == 0)
    }
}
