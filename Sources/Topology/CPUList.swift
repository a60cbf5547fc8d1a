/// Parses and prints Linux CPU lists ("0-3,8,10-11"), as in sysfs `cpulist` and `online` files.
public enum CPUList {
    /// Longest list accepted: far more CPUs than any machine has, so a corrupt file cannot exhaust memory.
    public static let maxCPU = 1 << 16

    /// The CPUs of `text`, sorted and unique; nil when the text is not a CPU list.
    public static func parse(_ text: String) -> [Int]? {
        let trimmed = text.split(whereSeparator: { $0 == "\n" || $0 == " " || $0 == "\t" }).joined()
        if trimmed.isEmpty { return [] }
        var cpus = Set<Int>()
        for part in trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let lo = Int(bounds[0]), let hi = Int(bounds.count == 2 ? bounds[1] : bounds[0]),
                  lo >= 0, hi >= lo, hi < maxCPU
            else { return nil }
            for c in lo...hi { cpus.insert(c) }
        }
        return cpus.sorted()
    }

    /// The compact form of `cpus`: "0-3,8".
    public static func format(_ cpus: [Int]) -> String {
        let sorted = Array(Set(cpus)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(j == i ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
