/// The version printed by `tapline --version`.
public enum TaplineVersion {
    public static let string = "0.1.0"
}
