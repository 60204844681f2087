//! Fuel and interruption: a store's budget of Wasm operators, and a handle another thread can
//! use to stop a running guest.

use crate::error::{Error, Result};
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Stops the guest running in a store at its next loop header or call, with
/// `TrapCode::Interrupted`. Cheap to clone; usable from any thread. Needs
/// `Config::interruptible(true)`.
#[derive(Debug, Clone)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
}

impl InterruptHandle {
    /// Requests the interruption. The flag is cleared when the guest traps on it, so the store
    /// can run again afterwards; an interrupt requested while nothing runs stops the next run
    /// at its first check.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}

impl<T> Store<T> {
    fn fuel_enabled(&self) -> Result<()> {
        if self.inner.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::Usage("fuel is not enabled: use Config::consume_fuel(true)".into()))
        }
    }

    /// Sets the fuel left: the number of Wasm operators the guest may still run.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.fuel_enabled()?;
        self.inner.stack.fuel = fuel;
        Ok(())
    }

    /// The fuel left.
    pub fn get_fuel(&self) -> Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.stack.fuel)
    }

    /// A handle that interrupts this store's running guest (see [`InterruptHandle`]).
    pub fn interrupt_handle(&self) -> Result<InterruptHandle> {
        if !self.inner.engine.config().interruptible {
            return Err(Error::Usage("interruption is not enabled: use Config::interruptible(true)".into()));
        }
        Ok(InterruptHandle { flag: self.inner.stack.interrupt.clone() })
    }
}
