//! Dynamic instruction counts of the portable loop (feature `op-profile`): how often each
//! instruction ran, and how often each pair ran back to back without a branch between them
//! (the pairs a superinstruction could replace). Costs a hash-map update per instruction, so
//! it is never on in normal builds.
use crate::isa::Instr;
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static COUNTS: RefCell<Counts> = RefCell::new(Counts::default());
}

/// What ran since the last [`take`] on this thread.
#[derive(Default, Debug, Clone)]
pub struct Counts {
    /// Executions per instruction mnemonic.
    pub singles: HashMap<&'static str, u64>,
    /// Executions of `(first, second)` where `second` directly followed `first` in the code and
    /// ran right after it.
    pub pairs: HashMap<(&'static str, &'static str), u64>,
}

pub(crate) fn record(prev: Option<&Instr>, cur: &Instr) {
    COUNTS.with(|c| {
        let mut c = c.borrow_mut();
        *c.singles.entry(cur.mnemonic()).or_default() += 1;
        if let Some(p) = prev {
            *c.pairs.entry((p.mnemonic(), cur.mnemonic())).or_default() += 1;
        }
    });
}

impl Counts {
    /// How many instructions ran.
    pub fn total(&self) -> u64 {
        self.singles.values().sum()
    }

    /// Prints the `top` instructions and pairs that ran most often, with their shares.
    pub fn print_top(&self, top: usize) {
        let total = self.total();
        let mut s: Vec<_> = self.singles.iter().collect();
        s.sort_by_key(|e| std::cmp::Reverse(*e.1));
        for (k, n) in s.iter().take(top) {
            println!("{:6.2}% {n:10} {k}", 100.0 * **n as f64 / total as f64);
        }
        println!("== pairs");
        let mut p: Vec<_> = self.pairs.iter().collect();
        p.sort_by_key(|e| std::cmp::Reverse(*e.1));
        for ((a, b), n) in p.iter().take(top) {
            println!("{:6.2}% {n:10} {a} {b}", 100.0 * **n as f64 / total as f64);
        }
    }
}

/// Returns the counts gathered on this thread and resets them.
pub fn take() -> Counts {
    COUNTS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}
