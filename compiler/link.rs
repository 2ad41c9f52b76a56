//! Linking compiled objects with the embedded runtime library. (Being written.)
