//! A table's columns as a read selects them, declared once: the SELECT
//! list is made from the declaration, and a read names the column it wants
//! (`col!(PERSON, "name")`), its position computed from the same list when
//! the program is compiled. Adding, removing or reordering a column cannot
//! shift another read, and naming one that is not selected does not
//! compile.

/// The columns a read of one table selects, under the table's alias.
pub(crate) struct Columns {
    names: &'static [&'static str],
    /// The SELECT list: `p.id, p.name, …`.
    pub(crate) select: &'static str,
}

impl Columns {
    /// Made by [`columns!`], which writes `select` from the same names.
    pub(crate) const fn new(names: &'static [&'static str], select: &'static str) -> Self {
        Self { names, select }
    }

    /// How many columns the SELECT list holds: where the next table's
    /// columns start in a row that selects two.
    pub(crate) const fn width(&self) -> usize {
        self.names.len()
    }

    /// The position of `name` in the SELECT list. Called in a constant
    /// (through [`col!`]), a name not in the list stops the build.
    pub(crate) const fn at(&self, name: &str) -> usize {
        let mut i = 0;
        while i < self.names.len() {
            if same(self.names[i], name) {
                return i;
            }
            i += 1;
        }
        panic!("no such column in the SELECT list")
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `columns!("p": "id", "name", …)`: the columns of the table aliased
/// `p`; an expression selected after them is given a name to be read by:
/// `…; "(SELECT COUNT(*) …)" as "current_workers"`.
macro_rules! columns {
    ($alias:literal: $first:literal $(, $rest:literal)* $(; $expr:literal as $named:literal)? $(,)?) => {
        $crate::sql::columns::Columns::new(
            &[$first $(, $rest)* $(, $named)?],
            concat!($alias, ".", $first $(, ", ", $alias, ".", $rest)* $(, ", ", $expr)?),
        )
    };
}
pub(crate) use columns;

/// The position of column `$name` of `$columns`, as a constant.
macro_rules! col {
    ($columns:expr, $name:literal) => {
        const { $columns.at($name) }
    };
}
pub(crate) use col;

#[cfg(test)]
mod tests {
    use super::*;

    const T: Columns = columns!("t": "id", "name", "unit_code"; "(SELECT 1)" as "one");

    #[test]
    fn the_select_list_and_the_positions_come_from_one_declaration() {
        assert_eq!(T.select, "t.id, t.name, t.unit_code, (SELECT 1)");
        assert_eq!(T.width(), 4);
        assert_eq!(
            (col!(T, "id"), col!(T, "unit_code"), col!(T, "one")),
            (0, 2, 3)
        );
    }
}
