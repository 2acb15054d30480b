"""Facts about the network, copied into the package from the domain brief."""
