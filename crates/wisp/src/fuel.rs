//! Fuel: a store's budget of Wasm operators. (Interruption and deadlines: `interrupt.rs`.)

use crate::error::{Error, Result};
use crate::store::Store;

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
}
