//! Which proposals a module uses: the fewest [`Features`] under which it decodes and
//! validates as it does with all of them on (`wisp inspect`, and engines that want to say what
//! a module needs before refusing it).

use crate::error::Result;
use crate::operators::Operator;
use crate::sections::data::DataKind;
use crate::sections::elements::{ElementItems, ElementKind};
use crate::types::{BlockType, CompositeType, HeapType, HeapTypeOrigin, RefType, StorageType, ValType};
use crate::{ConstExpr, Features, ImportType, Module};

impl Module<'_> {
    /// The proposals this module uses: every flag of the result is one it needs, read from its
    /// types, sections and every operator of its bodies and constant expressions. A module that
    /// needs only WebAssembly 1.0 gives [`Features::wasm1`]. Fails only where the module's bodies
    /// do not decode (the features it was parsed with bound what can be found).
    ///
    /// Two encodings are not told apart: a memory index written with multi-memory's explicit
    /// encoding while the module has one memory, and a 32-bit memory offset written in a
    /// longer LEB than 1.0 allows; both count as the plain form.
    pub fn features_used(&self) -> Result<Features> {
        let mut u = Uses { f: Features::wasm1() };
        u.f.gc = self.type_gc_forms;
        for (i, (t, sub)) in self.types.iter().zip(&self.sub_types).enumerate() {
            u.sub_type(sub);
            if t.results().len() > 1 {
                u.f.multi_value = true;
            }
            t.params().iter().chain(t.results()).for_each(|&v| u.val(v));
            // Before GC a type refers only to types defined before it.
            let refers_ahead = |v: &ValType| matches!(v, ValType::Ref(r) if matches!(r.heap(), HeapType::Concrete(j) if j >= i as u32));
            if t.params().iter().chain(t.results()).any(refers_ahead) {
                u.f.gc = true;
            }
        }
        for i in &self.imports {
            match i.ty {
                ImportType::Table(t) => u.table(t.element, t.table64),
                ImportType::Memory(m) => u.memory(m.memory64, m.page_size_log2.is_some()),
                ImportType::Global(g) => u.val(g.content),
                ImportType::Tag(_) => u.f.exceptions = true,
                ImportType::Func(_) => {}
            }
        }
        for t in &self.tables {
            u.table(t.element, t.table64);
        }
        for init in self.table_inits.iter().flatten() {
            u.f.function_references = true;
            u.const_expr(init, self)?;
        }
        if self.num_imported_tables as usize + self.tables.len() > 1 {
            u.f.reference_types = true;
        }
        for m in &self.memories {
            u.memory(m.memory64, m.page_size_log2.is_some());
        }
        if self.num_imported_memories as usize + self.memories.len() > 1 {
            u.f.multi_memory = true;
        }
        if !self.tags.is_empty() {
            u.f.exceptions = true;
        }
        for g in &self.globals {
            u.val(g.ty.content);
            u.const_expr(&g.init, self)?;
        }
        for e in &self.elements {
            // Encodings other than 0 came with bulk memory; expressions need reference types.
            if e.flags != 0 {
                u.f.bulk_memory = true;
            }
            if e.flags & 0x04 != 0 {
                u.f.reference_types = true;
            }
            if let ElementKind::Active { offset, .. } = &e.kind {
                u.const_expr(offset, self)?;
            }
            if let ElementItems::Exprs(es) = &e.items {
                // Only encodings 5 and 7 write a type; with typed references a vector of
                // indices reads as `(ref func)` whatever the module needs.
                if e.flags & 0x03 != 0 {
                    u.reference(e.ty);
                }
                for x in es {
                    u.const_expr(x, self)?;
                }
            }
        }
        if self.data_count.is_some() {
            u.f.bulk_memory = true;
        }
        for d in &self.data {
            match &d.kind {
                DataKind::Passive => u.f.bulk_memory = true,
                DataKind::Active { memory, offset } => {
                    // An explicit memory index is multi-memory's; an explicit 0 bulk memory's
                    // encoding too.
                    if *memory != 0 {
                        u.f.multi_memory = true;
                    } else if d.flags == 2 {
                        u.f.bulk_memory = true;
                    }
                    u.const_expr(offset, self)?;
                }
            }
        }
        for body in &self.code {
            let (locals, mut ops) = body.read_locals()?;
            for (_, t) in locals {
                u.val(t);
            }
            while !ops.eof() {
                u.operator(&ops.read()?, self);
            }
        }
        Ok(u.f)
    }
}

struct Uses {
    f: Features,
}

impl Uses {
    fn val(&mut self, t: ValType) {
        match t {
            ValType::V128 => self.f.simd = true,
            ValType::Ref(r) => {
                self.f.reference_types = true;
                self.reference(r);
            }
            _ => {}
        }
    }

    /// A reference type anywhere (a table's element type needs no `reference_types` when it is
    /// `funcref`: 1.0 tables have it).
    fn reference(&mut self, r: RefType) {
        if !r.nullable() {
            self.f.function_references = true;
        }
        match r.heap().introduced_by() {
            HeapTypeOrigin::Mvp => {}
            HeapTypeOrigin::Exceptions => self.f.exceptions = true,
            HeapTypeOrigin::FunctionReferences => self.f.function_references = true,
            HeapTypeOrigin::Gc => self.f.gc = true,
        }
    }

    fn table(&mut self, element: RefType, table64: bool) {
        if element != RefType::FuncRef {
            self.f.reference_types = true;
            self.reference(element);
        }
        if table64 {
            self.f.memory64 = true;
        }
    }

    fn memory(&mut self, memory64: bool, custom_page_size: bool) {
        self.f.memory64 |= memory64;
        self.f.custom_page_sizes |= custom_page_size;
    }

    fn sub_type(&mut self, sub: &crate::SubType) {
        // A plain function type is final, has no supertype and is a group of its own.
        if !sub.is_final || sub.supertype.is_some() || sub.rec_len > 1 {
            self.f.gc = true;
        }
        let field = |u: &mut Uses, storage: StorageType| {
            u.f.gc = true;
            if let StorageType::Val(v) = storage {
                u.val(v);
            }
        };
        match &sub.composite {
            CompositeType::Func => {}
            CompositeType::Struct(fields) => {
                self.f.gc = true;
                fields.iter().for_each(|ft| field(self, ft.storage));
            }
            CompositeType::Array(ft) => field(self, ft.storage),
        }
    }

    fn block_type(&mut self, b: BlockType, m: &Module<'_>) {
        match b {
            BlockType::Empty => {}
            BlockType::Value(t) => self.val(t),
            BlockType::FuncType(i) => {
                if let Some(t) = m.types.get(i as usize) {
                    if !t.params().is_empty() || t.results().len() > 1 {
                        self.f.multi_value = true;
                    }
                }
            }
        }
    }

    /// A constant expression: its operators, plus extended constants' arithmetic and GC's
    /// `global.get` of a defined global.
    fn const_expr(&mut self, e: &ConstExpr<'_>, m: &Module<'_>) -> Result<()> {
        let mut ops = e.operators();
        while !ops.eof() {
            let op = ops.read()?;
            match op {
                Operator::I32Add {}
                | Operator::I32Sub {}
                | Operator::I32Mul {}
                | Operator::I64Add {}
                | Operator::I64Sub {}
                | Operator::I64Mul {} => self.f.extended_const = true,
                Operator::GlobalGet { global_index } if global_index >= m.num_imported_globals => self.f.gc = true,
                _ => {}
            }
            self.operator(&op, m);
        }
        Ok(())
    }

    fn operator(&mut self, op: &Operator<'_>, m: &Module<'_>) {
        let f = &mut self.f;
        match op.proposal() {
            "sign_ext" => f.sign_extension = true,
            "sat" => f.saturating_float_to_int = true,
            "bulk" => f.bulk_memory = true,
            "ref" => f.reference_types = true,
            "tail_call" => f.tail_call = true,
            "func_ref" => f.function_references = true,
            "tail_call_ref" => {
                f.tail_call = true;
                f.function_references = true;
            }
            "exceptions" => f.exceptions = true,
            "wide" => f.wide_arithmetic = true,
            "simd" => f.simd = true,
            "relaxed_simd" => {
                f.simd = true;
                f.relaxed_simd = true;
            }
            _ => {}
        }
        match *op {
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                self.block_type(blockty, m)
            }
            Operator::TryTable { ref table } => self.block_type(table.blockty(), m),
            Operator::TypedSelect { ty } => self.val(ty),
            Operator::RefNull { hty } => self.reference(RefType::new(true, hty)),
            Operator::CallIndirect { table_index, .. } if table_index != 0 => self.f.reference_types = true,
            _ => {}
        }
    }
}
