public import AppProtocols

/// The Initial keys live in AppProtocols (the dissector decrypts with them); Synth protects with them.
public typealias QUICInitialKeys = AppProtocols.QUICInitialKeys
