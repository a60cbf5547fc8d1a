import TestLab

/// The replayer's kernel tests use the shared namespaced lab.
typealias ReplayLab = NamespaceLab
