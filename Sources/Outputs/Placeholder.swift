import PacketCore
