import Engine
print("tapline \(TaplineVersion.string)")
