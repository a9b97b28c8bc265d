//! Blocking adapters over `std::io`.
