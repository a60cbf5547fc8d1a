import TestLab

/// The prefilter's kernel tests use the shared namespaced lab.
typealias VethLab = NamespaceLab
